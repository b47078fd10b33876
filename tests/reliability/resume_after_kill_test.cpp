// --resume after SIGKILL: 01 on the toy dataset (one MLM epoch, then fine-tuning, snapshots every
// 4 steps) is SIGKILLed as soon as its first fine-tuning snapshot exists, then run again with
// --resume; it must end with the model file and metrics of an uninterrupted run, as one process
// and as a job of two ranks (scripts/launch.sh; dropout stays on, its random state is restored).
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>

#include <gtest/gtest.h>

#include "support/child_process.h"
#include "support/fixtures.h"
#include "support/local_job.h"
#include "support/sanitizers.h"
#include "support/toy_experiment.h"
#include "test_paths.h"
#include "tpq/io/atomic_file.h"
#include "tpq/train/training_state.h"

namespace {

namespace fs = std::filesystem;

class ResumeAfterKill : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    tpq::testing::write_toy_dataset(scratch / "toy.jsonl");
    auto config = tpq::testing::tiny_config(scratch / "toy.jsonl", scratch / "cache");
    const std::string training = "training:\n";
    config.replace(config.find(training), training.size(), training + "  mlm_epochs: 1\n  checkpoint_every_steps: 4\n");
    tpq::testing::write_text_file(scratch / "resume.yaml", config);
  }

  // 01 into scratch/<name>, as one process or under launch.sh with GetParam() ranks.
  std::string command(const std::string& name, const std::string& extra = "") const {
    const std::string program = tpq::testing::experiment_binary("01_baseline_training") + " --profile quick --config " +
                                (scratch / "resume.yaml").string() + " --output_dir " + (scratch / name).string() +
                                " --seed 7 --threads 1 " + extra;
    if (GetParam() == 1) return program;
    return "bash " + std::string(TPQ_TEST_SOURCE_DIR) + "/scripts/launch.sh -n " + std::to_string(GetParam()) +
           " --master-port " + std::to_string(tpq::testing::free_port()) + " -- " + program;
  }

  // Starts the run, SIGKILLs every process of it once a fine-tuning snapshot exists; false if it
  // finished first.
  bool kill_after_first_snapshot(const std::string& name) const {
    const auto snapshots = scratch / ".training-state" / name / "fine_tuning";
    const pid_t pid = tpq::testing::start_in_background("exec " + command(name));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
    while (!tpq::train::SnapshotStore(snapshots).newest() && std::chrono::steady_clock::now() < deadline &&
           ::waitpid(pid, nullptr, WNOHANG) == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    // Every process whose command line names this run: launch.sh and each rank.
    std::system(("pkill -KILL -f -- '--output_dir " + (scratch / name).string() + " '").c_str());
    tpq::testing::wait_for_exit(pid);
    return !fs::exists(scratch / name / "metrics.json");
  }

  tpq::testing::ScratchDir scratch;
};

TEST_P(ResumeAfterKill, AResumedRunEndsWithTheModelOfAnUninterruptedRun) {
  TPQ_SKIP_WITHOUT_SENTENCEPIECE();
  const auto reference = tpq::testing::run_command(command("reference"));
  ASSERT_EQ(reference.exit_code, 0) << reference.output;
  ASSERT_TRUE(kill_after_first_snapshot("killed")) << "the run finished before the kill";
  const auto snapshot = tpq::train::SnapshotStore(scratch / ".training-state" / "killed" / "fine_tuning").newest();
  ASSERT_TRUE(snapshot.has_value());
  const auto resumed = tpq::testing::run_command(command("killed", "--resume"));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("resuming from " + snapshot->string()), std::string::npos) << resumed.output;
  EXPECT_NE(resumed.output.find("resuming MLM pre-training from"), std::string::npos) << "MLM had finished: not redone";
  EXPECT_EQ(tpq::io::read_file(scratch / "killed" / "model" / "model.safetensors"),
            tpq::io::read_file(scratch / "reference" / "model" / "model.safetensors"))
      << "the resumed model differs from the uninterrupted one";
  const auto expected = tpq::testing::read_json_file(scratch / "reference" / "metrics.json");
  const auto actual = tpq::testing::read_json_file(scratch / "killed" / "metrics.json");
  EXPECT_EQ(actual["metrics"], expected["metrics"]);
  EXPECT_EQ(actual["extra"]["training"]["mlm_epoch_losses"], expected["extra"]["training"]["mlm_epoch_losses"]);
  EXPECT_EQ(actual["extra"]["training"]["optimizer_steps"], expected["extra"]["training"]["optimizer_steps"]);
  EXPECT_FALSE(fs::exists(scratch / ".training-state" / "killed")) << "a published run keeps no snapshots";
  std::cout << "[ resume ] killed at snapshot " << snapshot->filename() << ", " << GetParam() << " rank(s)\n";
}

INSTANTIATE_TEST_SUITE_P(Ranks, ResumeAfterKill, ::testing::Values(1, 2));

}  // namespace
