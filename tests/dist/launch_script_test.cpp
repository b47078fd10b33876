// scripts/launch.sh: N local processes under torchrun's contract, output prefixed by rank, and one
// failing rank stopping the rest with its exit status.
#include <algorithm>
#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "test_paths.h"

namespace {

std::string launch(const std::string& arguments) {
  return "bash " + std::string(TPQ_TEST_SOURCE_DIR) + "/scripts/launch.sh " + arguments;
}

TEST(LaunchScript, StartsEveryRankWithTorchrunsVariables) {
  const auto result = tpq::testing::run_command(
      launch("-n 3 --master-port 29123 -- sh -c 'echo \"$RANK/$WORLD_SIZE $LOCAL_RANK $MASTER_ADDR:$MASTER_PORT\"'"));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  for (const char* line : {"[rank 0] 0/3 0 127.0.0.1:29123", "[rank 1] 1/3 1 127.0.0.1:29123", "[rank 2] 2/3 2 127.0.0.1:29123"}) {
    EXPECT_NE(result.output.find(line), std::string::npos) << result.output;
  }
}

TEST(LaunchScript, OneFailingRankStopsTheOthersWithItsStatus) {
  const auto start = std::chrono::steady_clock::now();
  const auto result = tpq::testing::run_command(launch("-n 2 -- sh -c 'if [ \"$RANK\" = 1 ]; then exit 3; fi; sleep 60'"));
  EXPECT_EQ(result.exit_code, 3) << result.output;
  EXPECT_NE(result.output.find("a process exited with status 3; stopping the others"), std::string::npos) << result.output;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));  // rank 0's sleep was stopped
}

TEST(LaunchScript, BadArgumentsSayHow) {
  EXPECT_EQ(tpq::testing::run_command(launch("-n 0 -- true")).exit_code, 2);
  EXPECT_NE(tpq::testing::run_command(launch("-n 2")).output.find("no program given"), std::string::npos);
  EXPECT_NE(tpq::testing::run_command(launch("-n 2 --master-port 70000 -- true")).output.find("not a TCP port"),
            std::string::npos);
}

}  // namespace
