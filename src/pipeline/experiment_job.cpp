// Joining a data-parallel job: the process group, the same configuration on every rank, and log
// lines that say which rank wrote them.
#include <chrono>
#include <cmath>
#include <string>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "tpq/core/error.h"
#include "tpq/core/json_diff.h"
#include "tpq/dist/data_parallel.h"
#include "tpq/dist/job_info.h"
#include "tpq/pipeline/experiment_run.h"

namespace tpq::pipeline {

void ExperimentRun::join_job(const dist::LaunchEnv& launch) {
  const auto timeout = std::chrono::milliseconds(std::llround(config_.run.dist_timeout_s * 1000));
  group_ = dist::ProcessGroup::join(launch, timeout);
  spdlog::set_pattern("[%H:%M:%S] [rank " + std::to_string(launch.rank) + "] [%^%l%$] %v");
  const auto ours = config_.to_json();
  const auto rank0 = nlohmann::json::parse(group_->broadcast_text(ours.dump()));
  const auto difference = json_differences(ours, rank0, "rank 0");
  const auto mismatches = dist::count_ranks_where(*group_, !difference.empty());
  require(mismatches == 0 || !difference.empty(),
          std::to_string(mismatches) + " rank(s) run another configuration than rank 0 (their logs name the key); start every rank with the same "
              "profile, --config file and flags");
  require(difference.empty(), "rank " + std::to_string(launch.rank) + " of " + std::to_string(launch.world_size) +
                                  " runs another configuration than rank 0: " + difference +
                                  "; start every rank with the same profile, --config file and flags");
  dist::set_this_job({launch.world_size, group_->backend()});
  spdlog::info("joined a data-parallel job of {} ranks ({}, rendezvous {}:{})", launch.world_size, group_->backend(),
               launch.master_addr, launch.master_port);
}

}  // namespace tpq::pipeline
