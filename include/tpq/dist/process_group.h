// The ranks of a job joined through LibTorch's own distributed layer, the one PyTorch DDP uses:
// rank 0 hosts a c10d::TCPStore at MASTER_ADDR:MASTER_PORT for the rendezvous and every rank joins
// a c10d::ProcessGroupGloo (CPU tensors). A rank that does not show up, or dies, makes the others
// fail with a UserError within `timeout` instead of hanging.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <ATen/Tensor.h>

#include "tpq/dist/launch_env.h"

namespace tpq::dist {

class ProcessGroup {
 public:
  // Blocks until all env.world_size ranks have joined (or `timeout` passes).
  static std::unique_ptr<ProcessGroup> join(const LaunchEnv& env, std::chrono::milliseconds timeout);
  ~ProcessGroup();

  int rank() const;
  int world_size() const;
  std::string backend() const { return "gloo"; }

  // In place: every rank ends with the element-wise mean over ranks (gradient averaging).
  void all_reduce_mean(std::vector<at::Tensor>& tensors);
  // In place: every rank ends with the element-wise sum over ranks (gathering disjoint shards).
  void all_reduce_sum(std::vector<at::Tensor>& tensors);
  // In place: every rank ends with the element-wise maximum over ranks (observer ranges).
  void all_reduce_max(std::vector<at::Tensor>& tensors);
  // In place: every rank ends with rank 0's values (initial weights).
  void broadcast_from_rank0(std::vector<at::Tensor>& tensors);
  void barrier();
  // Rank 0's text on every rank (the others' argument is ignored): the configuration check.
  std::string broadcast_text(const std::string& text);

 private:
  struct Impl;  // the c10d store and group (their headers need gloo's; only process_group.cpp sees them)
  explicit ProcessGroup(std::unique_ptr<Impl> impl);
  void run(const std::string& what, const std::function<void()>& collective);

  std::unique_ptr<Impl> impl_;
};

}  // namespace tpq::dist
