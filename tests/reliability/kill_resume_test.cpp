// Crash safety: experiment 01 on the toy dataset is SIGKILLed at random moments, again and again, in
// the same results directory. After every kill each result and checkpoint file present must be
// complete (old or new, never torn); a final rerun must finish with exactly the metrics of an
// uninterrupted run (same seed, one thread, CPU). TPQ_KILL_LOOP_KILLS sets the number of kills.
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "support/child_process.h"
#include "support/fixtures.h"
#include "support/result_files.h"
#include "support/sanitizers.h"
#include "support/toy_experiment.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

int kills_wanted() {
  const char* value = std::getenv("TPQ_KILL_LOOP_KILLS");
  return value != nullptr && *value != '\0' ? std::atoi(value) : 6;
}

TEST(KillResume, KilledRunsLeaveNoTornFilesAndARerunMatchesAnUninterruptedRun) {
  TPQ_SKIP_WITHOUT_SENTENCEPIECE();
  tpq::testing::ScratchDir scratch;
  tpq::testing::write_toy_dataset(scratch / "toy.jsonl");
  tpq::testing::write_text_file(scratch / "ref.yaml", tpq::testing::tiny_config(scratch / "toy.jsonl", scratch / "cache-ref"));
  tpq::testing::write_text_file(scratch / "kill.yaml", tpq::testing::tiny_config(scratch / "toy.jsonl", scratch / "cache-kill"));
  const auto command = [&](const char* config, const fs::path& out) {
    return tpq::testing::experiment_binary("01_baseline_training") + " --profile quick --config " +
           (scratch / config).string() + " --output_dir " + out.string() + " --seed 7 --threads 1 --log-level warn";
  };

  // The uninterrupted reference, which also tells how long a run takes.
  const auto started = Clock::now();
  const auto reference = tpq::testing::run_command(command("ref.yaml", scratch / "ref"));
  const double run_seconds = std::chrono::duration<double>(Clock::now() - started).count();
  ASSERT_EQ(reference.exit_code, 0) << reference.output;

  const fs::path out = scratch / "killed";
  std::mt19937 random(20261125);
  std::uniform_real_distribution<double> delay(0.0, 1.1 * run_seconds);
  const int kills = kills_wanted();
  int killed = 0, finished_first = 0;
  tpq::testing::ResultCheck total;
  std::size_t torn = 0;
  for (int i = 0; i < kills; ++i) {
    const pid_t pid = tpq::testing::start_in_background("exec " + command("kill.yaml", out));
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(std::chrono::duration<double>(delay(random)));
    ::kill(pid, SIGKILL);
    const int status = tpq::testing::wait_for_exit(pid);
    (WIFSIGNALED(status) ? killed : finished_first) += 1;
    const auto check = tpq::testing::check_result_files(out);
    for (const auto& problem : check.torn) ADD_FAILURE() << "after kill " << i << ": " << problem;
    torn += check.torn.size();
    total.files_checked += check.files_checked;
    total.leftovers += check.leftovers;
  }

  const auto rerun = tpq::testing::run_command(command("kill.yaml", out));
  ASSERT_EQ(rerun.exit_code, 0) << rerun.output;
  const auto final_check = tpq::testing::check_result_files(out);
  EXPECT_TRUE(final_check.torn.empty());
  EXPECT_EQ(final_check.leftovers, 0u) << "temp files of killed runs survived the rerun";
  const auto expected = tpq::testing::read_json_file(scratch / "ref" / "metrics.json");
  const auto actual = tpq::testing::read_json_file(out / "metrics.json");
  EXPECT_EQ(actual["metrics"], expected["metrics"]);
  EXPECT_EQ(actual["size"]["params"], expected["size"]["params"]);

  std::cout << "[ kill loop ] run " << run_seconds << " s; " << kills << " launches: " << killed << " killed, "
            << finished_first << " finished first; " << total.files_checked << " files checked after kills, " << torn << " torn; "
            << total.leftovers << " temp leftovers seen (removed by the rerun)\n";
  RecordProperty("kills", killed);
  RecordProperty("files_checked", static_cast<int>(total.files_checked));
}

}  // namespace
