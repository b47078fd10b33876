// Joining a data-parallel job: the process group, the same configuration on every rank, and log
// lines that say which rank wrote them.
#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "tpq/core/error.h"
#include "tpq/dist/job_info.h"
#include "tpq/pipeline/experiment_run.h"

namespace tpq::pipeline {
namespace {

// Every key (dotted path) where two configurations differ, with both values.
void collect_differences(const nlohmann::json& ours, const nlohmann::json& rank0, const std::string& path,
                         std::vector<std::string>& out) {
  const auto at = [&](const std::string& key) { return path.empty() ? key : path + "." + key; };
  if (!ours.is_object() || !rank0.is_object()) {
    if (ours != rank0) out.push_back(path + " (rank 0: " + rank0.dump() + ", here: " + ours.dump() + ")");
    return;
  }
  for (const auto& [key, value] : rank0.items()) {
    if (!ours.contains(key)) out.push_back(at(key) + " (rank 0: " + value.dump() + ", here: unset)");
    else collect_differences(ours.at(key), value, at(key), out);
  }
  for (const auto& [key, value] : ours.items()) {
    if (!rank0.contains(key)) out.push_back(at(key) + " (rank 0: unset, here: " + value.dump() + ")");
  }
}

std::string config_differences(const nlohmann::json& ours, const nlohmann::json& rank0) {
  std::vector<std::string> differences;
  collect_differences(ours, rank0, "", differences);
  std::string text;
  for (std::size_t i = 0; i < differences.size() && i < 4; ++i) text += (i ? ", " : "") + differences[i];
  if (differences.size() > 4) text += " and " + std::to_string(differences.size() - 4) + " more";
  return text;
}

}  // namespace

void ExperimentRun::join_job(const dist::LaunchEnv& launch) {
  const auto timeout = std::chrono::milliseconds(std::llround(config_.run.dist_timeout_s * 1000));
  group_ = dist::ProcessGroup::join(launch, timeout);
  spdlog::set_pattern("[%H:%M:%S] [rank " + std::to_string(launch.rank) + "] [%^%l%$] %v");
  const auto ours = config_.to_json();
  const auto rank0 = nlohmann::json::parse(group_->broadcast_text(ours.dump()));
  const auto difference = config_differences(ours, rank0);
  // Every rank learns of a mismatch anywhere, so none waits for a partner that has stopped.
  std::vector<at::Tensor> mismatches{at::full({1}, difference.empty() ? 0.0 : 1.0, at::kDouble)};
  group_->all_reduce_sum(mismatches);
  require(mismatches[0].item<double>() == 0 || !difference.empty(),
          std::to_string(std::llround(mismatches[0].item<double>())) +
              " rank(s) run another configuration than rank 0 (their logs name the key); start every rank with the same "
              "profile, --config file and flags");
  require(difference.empty(), "rank " + std::to_string(launch.rank) + " of " + std::to_string(launch.world_size) +
                                  " runs another configuration than rank 0: " + difference +
                                  "; start every rank with the same profile, --config file and flags");
  dist::set_this_job({launch.world_size, group_->backend()});
  spdlog::info("joined a data-parallel job of {} ranks ({}, rendezvous {}:{})", launch.world_size, group_->backend(),
               launch.master_addr, launch.master_port);
}

}  // namespace tpq::pipeline
