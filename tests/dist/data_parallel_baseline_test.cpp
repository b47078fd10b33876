// 01 as a job of two ranks started by scripts/launch.sh (torchrun's contract): the ranks train the
// toy baseline together, rank 0 alone publishes it, its record says so, and ranks started with
// different configurations stop at once, naming the key.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/local_job.h"
#include "support/toy_experiment.h"
#include "test_paths.h"

namespace {

namespace fs = std::filesystem;

class DataParallelBaseline : public tpq::testing::ToyExperimentTest {
 protected:
  // launch.sh -n 2 -- sh -c '<01 with the tiny config> <extra>' (extra may use $RANK)
  tpq::testing::CommandResult launch_baseline(const std::string& extra) {
    const std::string program = tpq::testing::experiment_binary("01_baseline_training") + " --profile quick --config " +
                                (scratch / "tiny.yaml").string() + " --threads 1 --output_dir " +
                                (scratch / "baseline").string() + " " + extra;
    return tpq::testing::run_command("bash " + std::string(TPQ_TEST_SOURCE_DIR) + "/scripts/launch.sh -n 2 --master-port " +
                                     std::to_string(tpq::testing::free_port()) + " -- sh -c '" + program + "'");
  }
};

TEST_F(DataParallelBaseline, TwoRanksTrainTheBaselineAndRankZeroAlonePublishesIt) {
  const auto result = launch_baseline("");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("] [rank 1] [info] joined a data-parallel job of 2 ranks (gloo"), std::string::npos)
      << "rank 1's own log lines carry its rank\n" << result.output;
  const auto record = tpq::testing::read_json_file(scratch / "baseline" / "metrics.json");
  EXPECT_EQ(record.at("world_size"), 2);
  EXPECT_EQ(record.at("dist_backend"), "gloo");
  EXPECT_TRUE(tpq::testing::learned_toy_task(record, tpq::testing::kToyAccuracyFloor));
  EXPECT_GT(record.at("extra").at("training").at("gradient_sync_seconds").get<double>(), 0.0);
  for (const auto& entry : fs::directory_iterator((scratch / "baseline").parent_path())) {
    EXPECT_EQ(entry.path().filename().string().find(".tpq-run-"), std::string::npos) << "left behind: " << entry.path();
  }
}

TEST_F(DataParallelBaseline, RanksWithDifferentSeedsStopNamingTheKey) {
  const auto result = launch_baseline("--seed $((42 + RANK))");
  EXPECT_NE(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("runs another configuration than rank 0: run.seed (rank 0: 42, here: 43)"), std::string::npos)
      << result.output;
  EXPECT_FALSE(fs::exists(scratch / "baseline" / "metrics.json"));
}

}  // namespace
