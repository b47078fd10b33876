// The skeleton every numbered experiment runs in. It owns the prologue (device check, timer, stale
// leftovers) and the epilogue (elapsed time, publishing). Results are written into a staging
// directory beside the results directory and only a run that finishes publishes them, metrics.json
// last: a run that fails, on bad input or later, leaves every earlier result as it was.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include <torch/types.h>

#include "tpq/dist/launch_env.h"
#include "tpq/dist/process_group.h"
#include "tpq/pipeline/experiment_config.h"
#include "tpq/results/experiment_catalogue.h"

namespace tpq::pipeline {

class ExperimentRun {
 public:
  // UserError when the experiment is CPU-only and `device` is not the CPU.
  ExperimentRun(const results::ExperimentEntry& entry, ExperimentConfig config, std::filesystem::path results_dir,
                torch::Device device);
  ~ExperimentRun();  // a run that did not publish removes its staging directory
  ExperimentRun(const ExperimentRun&) = delete;
  ExperimentRun& operator=(const ExperimentRun&) = delete;

  const results::ExperimentEntry& entry() const { return entry_; }
  const ExperimentConfig& config() const { return config_; }
  torch::Device device() const { return device_; }
  // Where the results go once published (results/<dir>), and a sibling experiment's directory there.
  const std::filesystem::path& results_dir() const { return results_dir_; }
  std::filesystem::path sibling(results::ExperimentId id) const;

  // Where this run writes: a staging directory beside results_dir(), created on first use.
  const std::filesystem::path& dir();
  // The path a file written under dir() will have once published: what records should name.
  std::filesystem::path published_path(const std::filesystem::path& path) const;

  const std::string& started_at() const { return started_at_; }
  double elapsed_seconds() const;

  // Moves everything under dir() into results_dir(), replacing entries of the same name (other
  // files there are left alone), metrics.json last; then removes the training snapshots.
  void publish();

  // Training snapshots for --resume (train/training_state.h): <results parent>/.training-state/
  // <results name>/<phase>. They outlive a failed or killed run, and go when a run publishes.
  std::filesystem::path training_state_dir(const std::string& phase) const;
  bool resume() const { return resume_; }
  void set_resume(bool resume) { resume_ = resume; }

  // A data-parallel job (experiment_job.cpp): joins the other ranks within run.dist_timeout and
  // checks that every rank runs the configuration of rank 0. Log lines then carry the rank.
  void join_job(const dist::LaunchEnv& launch);
  dist::ProcessGroup* process_group() const { return group_.get(); }  // null: a single process
  bool is_rank_zero() const { return !group_ || group_->rank() == 0; }  // the rank that writes results

 private:
  const results::ExperimentEntry& entry_;
  ExperimentConfig config_;
  std::filesystem::path results_dir_;
  std::filesystem::path staging_;
  torch::Device device_;
  std::string started_at_;
  std::chrono::steady_clock::time_point start_;
  bool published_ = false;
  bool resume_ = false;
  std::unique_ptr<dist::ProcessGroup> group_;
};

}  // namespace tpq::pipeline
