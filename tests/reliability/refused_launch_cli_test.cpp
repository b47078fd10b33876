// What only 01 can do is refused by name elsewhere, before any work: a data-parallel launch of an
// experiment that does not train data-parallel, and --resume where nothing keeps snapshots.
#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "support/local_job.h"
#include "support/toy_experiment.h"

namespace {

TEST(RefusedLaunch, ExperimentsThatDoNotTrainDataParallelRefuseSeveralRanks) {
  tpq::testing::ScratchDir scratch;
  tpq::testing::write_text_file(scratch / "short.yaml", "run:\n  dist_timeout: 2\n");  // were it to wait for rank 1
  const auto result = tpq::testing::run_command(
      "RANK=0 WORLD_SIZE=2 MASTER_PORT=" + std::to_string(tpq::testing::free_port()) + " " +
      tpq::testing::experiment_binary("03_static_quantization") + " --profile quick --config " +
      (scratch / "short.yaml").string() + " --output_dir " + (scratch / "out").string());
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.output.find("03_static_quantization does not train data-parallel (01, 04 and 06-09 do)"),
            std::string::npos)
      << result.output;
  EXPECT_FALSE(std::filesystem::exists(scratch / "out"));
}

TEST(RefusedLaunch, ResumeIsRefusedWhereNothingKeepsSnapshots) {
  tpq::testing::ScratchDir scratch;
  const auto result = tpq::testing::run_command(tpq::testing::experiment_binary("02_dynamic_quantization") +
                                                " --profile quick --resume --output_dir " + (scratch / "out").string());
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.output.find("--resume: 02_dynamic_quantization keeps no training snapshots"), std::string::npos)
      << result.output;
  EXPECT_FALSE(std::filesystem::exists(scratch / "out"));
}

}  // namespace
