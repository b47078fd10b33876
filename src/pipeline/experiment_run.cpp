#include "tpq/pipeline/experiment_run.h"

#include <unistd.h>

#include <spdlog/spdlog.h>

#include "tpq/core/error.h"
#include "tpq/core/runtime_info.h"
#include "tpq/io/atomic_file.h"
#include "tpq/io/staged_directory.h"
#include "tpq/io/stale_files.h"

namespace tpq::pipeline {
namespace fs = std::filesystem;

ExperimentRun::ExperimentRun(const results::ExperimentEntry& entry, ExperimentConfig config, fs::path results_dir,
                             torch::Device device)
    : entry_(entry), config_(std::move(config)), results_dir_(std::move(results_dir)), device_(device),
      started_at_(utc_timestamp()), start_(std::chrono::steady_clock::now()) {
  require(!entry_.cpu_only() || device_.is_cpu(), entry_.program + ": " + entry_.cpu_only_reason + "; use --device cpu");
  io::clean_stale_work_files(results_dir_);        // temp files of an earlier run that was killed
  io::clean_stale_staging(results_dir_);           // and the staging directory of one
}

ExperimentRun::~ExperimentRun() {
  if (published_ || staging_.empty()) return;
  std::error_code ignored;
  fs::remove_all(staging_, ignored);
}

fs::path ExperimentRun::sibling(results::ExperimentId id) const {
  return results_dir_.parent_path() / results::catalogue_entry(id).results_dir;
}

const fs::path& ExperimentRun::dir() {
  if (staging_.empty()) {
    staging_ = io::staging_path(results_dir_, ::getpid());
    fs::create_directories(staging_);
  }
  return staging_;
}

fs::path ExperimentRun::published_path(const fs::path& path) const {
  if (staging_.empty()) return path;
  const fs::path relative = path.lexically_relative(staging_);
  if (relative.empty() || *relative.begin() == "..") return path;
  return relative == "." ? results_dir_ : results_dir_ / relative;
}

double ExperimentRun::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ExperimentRun::publish() {
  require(!staging_.empty() && fs::exists(staging_ / "metrics.json"),
          entry_.program + " wrote no metrics.json: nothing to publish");
  io::replace_directory_contents(staging_, results_dir_, "metrics.json");
  published_ = true;
  std::error_code error;
  fs::remove_all(training_state_dir(""), error);  // consumed: the results hold what they trained
  spdlog::info("{} finished in {:.0f} s; results in {}", entry_.program, elapsed_seconds(), results_dir_.string());
}

fs::path ExperimentRun::training_state_dir(const std::string& phase) const {
  const auto absolute = fs::absolute(results_dir_).lexically_normal();
  const auto name = absolute.has_filename() ? absolute.filename() : absolute.parent_path().filename();
  const auto parent = absolute.has_filename() ? absolute.parent_path() : absolute.parent_path().parent_path();
  return phase.empty() ? parent / ".training-state" / name : parent / ".training-state" / name / phase;
}

}  // namespace tpq::pipeline
