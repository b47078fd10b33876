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

// --sparsity-sweep: on Slurm 07 becomes one array element per sparsity, each into its own part
// directory, and the last job merges the parts before the comparison reads them.
TEST_F(RunAllSlurm, SparsitySweepRuns07AsOneElementPerSparsityAndMergesThePartsFirst) {
  const auto result = run_all("--slurm --sparsity-sweep 0.5,0.9");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto results = (scratch / "results").string();
  const auto array = tpq::io::read_file(scratch / "results" / "slurm" / "02-09.sbatch");
  EXPECT_NE(array.find("#SBATCH --array=0-8\n"), std::string::npos) << "7 experiments + 07 at 2 sparsities\n" << array;
  EXPECT_NE(array.find(" 07_unstructured_pruning 07_unstructured_pruning "), std::string::npos) << array;
  EXPECT_NE(array.find(results + "/parts/unstructured_pruning/sparsity-0.5 " + results + "/parts/unstructured_pruning/sparsity-0.9 "),
            std::string::npos) << array;
  EXPECT_NE(array.find("--sparsities\\ 0.5 --sparsities\\ 0.9"), std::string::npos) << array;
  const auto final_job = tpq::io::read_file(scratch / "results" / "slurm" / "10-report.sbatch");
  const auto merge = final_job.find("/tpq merge-parts --output " + results + "/unstructured_pruning " + results +
                                    "/parts/unstructured_pruning/sparsity-0.5 " + results + "/parts/unstructured_pruning/sparsity-0.9\n");
  ASSERT_NE(merge, std::string::npos) << final_job;
  EXPECT_LT(merge, final_job.find("10_comprehensive_comparison")) << final_job;
  for (const char* job : {"02-09", "10-report"}) {
    EXPECT_EQ(tpq::testing::run_command("bash -n " + (scratch / "results" / "slurm").string() + "/" + job + ".sbatch").exit_code, 0);
  }
  for (const char* bad : {"1.5", "0.5,0.5", "half"}) {
    const auto refused = run_all("--slurm --dry-run --sparsity-sweep " + std::string(bad));
    EXPECT_EQ(refused.exit_code, 2) << bad << "\n" << refused.output;
    EXPECT_NE(refused.output.find("[run_all] --sparsity-sweep " + std::string(bad) + ":"), std::string::npos) << refused.output;
  }
}

// Without Slurm the sweep is 07's own list: one run with --sparsities S1 S2 ...
TEST_F(RunAllSlurm, LocallyTheSparsitySweepIs07sSparsityList) {
  const auto stub = scratch / "bin" / "07_unstructured_pruning";
  tpq::testing::write_text_file(stub, "#!/usr/bin/env bash\necho \"$*\" >> " + (scratch / "07-args.txt").string() + "\n");
  fs::permissions(stub, fs::perms::owner_all, fs::perm_options::add);
  fs::create_directories(scratch / "results" / "baseline" / "model");
  run_all("--skip-training --no-bench --report-format none --report " + (scratch / "report.md").string() +
          " --sparsity-sweep 0.5,0.9");
  EXPECT_EQ(tpq::io::read_file(scratch / "07-args.txt"),
            "--profile quick --output_dir " + (scratch / "results" / "unstructured_pruning").string() + " --sparsities 0.5 0.9\n");
}

}  // namespace
