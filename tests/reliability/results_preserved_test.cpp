// A run that fails never removes or changes an earlier result: every program, given bad input (or
// failing after it has started writing, or killed halfway), leaves every file under results/ byte
// for byte as it was, and leaves no staging directory behind.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "support/sanitizers.h"
#include "support/toy_experiment.h"
#include "tpq/results/experiment_catalogue.h"

namespace {

namespace fs = std::filesystem;
using Snapshot = std::map<std::string, std::string>;  // relative path -> bytes (directories: "<dir>")

std::string bytes_of(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

Snapshot snapshot(const fs::path& root) {
  Snapshot files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    files[fs::relative(entry.path(), root).string()] = entry.is_regular_file() ? bytes_of(entry.path()) : "<dir>";
  }
  return files;
}

// The paths whose bytes differ between two snapshots (or exist in one only), for a readable failure.
std::string changed(const Snapshot& before, const Snapshot& after) {
  std::string paths;
  for (const auto& [path, bytes] : before) {
    const auto it = after.find(path);
    if (it == after.end() || it->second != bytes) paths += " " + path;
  }
  for (const auto& [path, bytes] : after) {
    if (before.count(path) == 0) paths += " +" + path;
  }
  return paths.empty() ? "(nothing)" : paths;
}

// An option each experiment 02-09 refuses once it has its baseline (06's only after measuring FP32).
std::string refused_option(tpq::results::ExperimentId id) {
  using tpq::results::ExperimentId;
  switch (id) {
    case ExperimentId::DynamicQuantization: return "--engine nosuch";
    case ExperimentId::StaticQuantization: return "--observers kl";
    case ExperimentId::Qat: return "--weight_bits 9";
    case ExperimentId::MixedPrecision: return "--precisions int4";
    case ExperimentId::StructuredPruning: return "--heads 1000";
    case ExperimentId::UnstructuredPruning: return "--sparsities 1.5";
    case ExperimentId::ProgressivePruning: return "--iterations 0";
    default: return "--granularity nosuch";
  }
}

class ResultsPreserved : public tpq::testing::ToyExperimentTest {
 protected:
  // results/<dir>/metrics.json (+ a model file) for every experiment, each with its own content.
  fs::path write_results_tree() {
    const fs::path results = scratch / "results";
    for (const auto& entry : tpq::results::experiment_catalogue()) {
      tpq::testing::write_text_file(results / entry.results_dir / "metrics.json",
                                    "{\"finished\": \"" + entry.program + "\"}\n");
      tpq::testing::write_text_file(results / entry.results_dir / "model" / "config.json", "{\"earlier\": true}\n");
    }
    return results;
  }

  // Runs `program` into results/<its dir> with `flags`; it must fail and change nothing.
  void expect_failure_changes_nothing(const tpq::results::ExperimentEntry& entry, const std::string& flags) {
    const fs::path results = scratch / "results";
    const auto before = snapshot(results);
    const auto run = tpq::testing::run_command(tpq::testing::experiment_binary(entry.program) + profile() + " --output_dir " +
                                               (results / entry.results_dir).string() + " " + flags);
    EXPECT_NE(run.exit_code, 0) << entry.program << " " << flags << " succeeded:\n" << run.output;
    const auto after = snapshot(results);
    EXPECT_TRUE(after == before) << entry.program << " " << flags << " changed" << changed(before, after) << "\n" << run.output;
    for (const auto& item : fs::directory_iterator(results)) {
      EXPECT_EQ(item.path().filename().string().find(".tpq-run-"), std::string::npos)
          << entry.program << " left its staging directory " << item.path();
    }
  }
};

TEST_F(ResultsPreserved, BadInputToAnyProgramLeavesEveryEarlierResultByteIdentical) {
  TPQ_SKIP_WITHOUT_SENTENCEPIECE();
  const fs::path baseline = train_baseline();
  ASSERT_FALSE(baseline.empty());
  write_results_tree();
  for (const auto& entry : tpq::results::experiment_catalogue()) {
    expect_failure_changes_nothing(entry, "--no-such-flag 1");  // the command line itself
    using tpq::results::ExperimentId;
    switch (entry.id) {
      case ExperimentId::Baseline:
        expect_failure_changes_nothing(entry, "--data_path " + (scratch / "nosuch.jsonl").string());
        // Fails after the run has started writing (dataset_stats.json, then the trainer refuses fp16 on CPU).
        expect_failure_changes_nothing(entry, "--amp fp16");
        break;
      case ExperimentId::Comparison:
        expect_failure_changes_nothing(entry, "--max-accuracy-drop -1");
        expect_failure_changes_nothing(entry, "--results-dir " + (scratch / "no-results").string());
        break;
      default:
        expect_failure_changes_nothing(entry, "--model_path " + (scratch / "nosuch").string());
        // A real baseline, then an input the experiment itself refuses.
        expect_failure_changes_nothing(entry, "--model_path " + baseline.string() + " " + refused_option(entry.id));
        break;
    }
  }
}

TEST_F(ResultsPreserved, KilledRerunLeavesTheFinishedResultsByteIdentical) {
  TPQ_SKIP_WITHOUT_SENTENCEPIECE();
  const fs::path out = scratch / "baseline";
  ASSERT_FALSE(train_baseline().empty());  // also fills the vocabulary and token caches
  const std::string rerun = tpq::testing::experiment_binary("01_baseline_training") + profile() + " --output_dir " +
                            out.string() + " --seed 11";
  // Kill times are drawn within how long a rerun (caches warm) takes, timed once.
  const auto started = std::chrono::steady_clock::now();
  ASSERT_EQ(tpq::testing::run_command(rerun).exit_code, 0);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  auto finished = snapshot(out);
  std::mt19937 random(20261201);
  std::uniform_real_distribution<double> delay(0.05 * seconds, 0.8 * seconds);
  int killed_mid_run = 0;
  for (int kill = 0; kill < 3; ++kill) {
    const std::string command = "exec " + rerun + " >/dev/null 2>&1";
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(std::chrono::duration<double>(delay(random)));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    // A run killed after it published (while exiting) has legitimately replaced the results; a run
    // killed before that must have left every file as it was: never a new model beside the old record.
    const auto after = snapshot(out);
    if (after.at("metrics.json") != finished.at("metrics.json")) {  // metrics.json is published last
      finished = after;
      continue;
    }
    ++killed_mid_run;
    EXPECT_TRUE(after == finished) << "kill " << kill << " changed" << changed(finished, after);
  }
  EXPECT_GE(killed_mid_run, 1) << "every kill landed after the rerun had finished: the test proved nothing";
}

}  // namespace
