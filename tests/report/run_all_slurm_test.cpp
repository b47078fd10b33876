// run_all.sh --slurm: the pipeline as three sbatch jobs chained with afterok (01; 02-09 x seeds as
// one array; bench, 10 and the report), submitted through a stand-in sbatch, or printed with --dry-run.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "test_paths.h"
#include "tpq/io/atomic_file.h"

namespace {

namespace fs = std::filesystem;

class RunAllSlurm : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(scratch / "bin");
    fs::create_symlink(tpq::testing::cli_path(), scratch / "bin" / "tpq");
    // sbatch stand-in: records its arguments, answers job ids 100, 101, 102 as --parsable does.
    fs::create_directories(scratch / "slurm-bin");
    const auto sbatch = scratch / "slurm-bin" / "sbatch";
    tpq::testing::write_text_file(sbatch, "#!/usr/bin/env bash\necho \"$*\" >> " + (scratch / "sbatch.txt").string() +
                                              "\necho $((100 + $(wc -l < " + (scratch / "sbatch.txt").string() + ") - 1))\n");
    fs::permissions(sbatch, fs::perms::owner_all, fs::perm_options::add);
  }

  tpq::testing::CommandResult run_all(const std::string& arguments) {
    return tpq::testing::run_command("PATH=" + (scratch / "slurm-bin").string() + ":$PATH bash " +
                                     std::string(TPQ_TEST_SOURCE_DIR) + "/experiments/run_all.sh --no-setup --profile quick --bin-dir " +
                                     (scratch / "bin").string() + " --results-dir " + (scratch / "results").string() + " " + arguments);
  }

  tpq::testing::ScratchDir scratch;
};

TEST_F(RunAllSlurm, SubmitsTheBaselineThenTheArrayThenTheReportEachAfterTheLast) {
  const auto result = run_all("--slurm --seeds 2 --partition gpu --gpus-per-task 1 --time 01:00:00");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto jobs = (scratch / "results" / "slurm").string();
  const auto calls = tpq::io::read_file(scratch / "sbatch.txt");
  EXPECT_EQ(calls, "--parsable " + jobs + "/01.sbatch\n" +
                       "--parsable --dependency=afterok:100 " + jobs + "/02-09.sbatch\n" +
                       "--parsable --dependency=afterok:101 " + jobs + "/10-report.sbatch\n");
  const auto array = tpq::io::read_file(scratch / "results" / "slurm" / "02-09.sbatch");
  EXPECT_NE(array.find("#SBATCH --array=0-15\n"), std::string::npos) << "8 experiments x 2 seeds\n" << array;
  EXPECT_NE(array.find("#SBATCH --partition=gpu\n#SBATCH --gpus-per-task=1\n#SBATCH --time=01:00:00\n"), std::string::npos) << array;
  EXPECT_NE(array.find((scratch / "results" / "seeds" / "43" / "qat").string()), std::string::npos) << array;
  EXPECT_NE(tpq::io::read_file(scratch / "results" / "slurm" / "01.sbatch").find("srun " + (scratch / "bin").string() +
                                                                                     "/01_baseline_training --profile quick"),
            std::string::npos);
  EXPECT_NE(result.output.find("02-09 as array job 101"), std::string::npos) << result.output;
  // Every script is valid bash.
  for (const char* job : {"01", "02-09", "10-report"}) {
    EXPECT_EQ(tpq::testing::run_command("bash -n " + jobs + "/" + job + ".sbatch").exit_code, 0) << job;
  }
}

TEST_F(RunAllSlurm, DryRunPrintsTheJobsAndSubmitsAndWritesNothing) {
  const auto result = run_all("--slurm --dry-run --skip-training");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(result.output.find("=== 01.sbatch ==="), std::string::npos) << "--skip-training: no baseline job";
  EXPECT_NE(result.output.find("=== 02-09.sbatch ===\n#!/usr/bin/env bash\n#SBATCH --job-name=tpq-02-09\n#SBATCH --array=0-7\n"),
            std::string::npos) << result.output;
  EXPECT_NE(result.output.find("nothing submitted"), std::string::npos) << result.output;
  EXPECT_FALSE(fs::exists(scratch / "sbatch.txt"));
  EXPECT_FALSE(fs::exists(scratch / "results"));
  const auto misuse = run_all("--dry-run");
  EXPECT_EQ(misuse.exit_code, 2);
  EXPECT_NE(misuse.output.find("use it with --slurm"), std::string::npos) << misuse.output;
}

}  // namespace
