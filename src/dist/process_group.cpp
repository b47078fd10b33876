#include "tpq/dist/process_group.h"

#include <cstring>

#include <ATen/ATen.h>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include "tpq/core/error.h"

namespace tpq::dist {

struct ProcessGroup::Impl {
  c10::intrusive_ptr<c10d::TCPStore> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
  std::chrono::milliseconds timeout{0};
  LaunchEnv env;
};

namespace {

std::string dist_first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// c10d's collectives take one tensor per device, so a list of differently shaped tensors travels
// as one flat bucket (one message per collective instead of one per tensor).
void through_one_bucket(std::vector<at::Tensor>& tensors, const std::function<void(std::vector<at::Tensor>&)>& collective) {
  if (tensors.empty()) return;
  std::vector<at::Tensor> flat_parts;
  for (const auto& tensor : tensors) flat_parts.push_back(tensor.reshape({-1}));
  std::vector<at::Tensor> bucket{at::cat(flat_parts)};
  collective(bucket);
  int64_t offset = 0;
  for (auto& tensor : tensors) {
    tensor.copy_(bucket[0].slice(0, offset, offset + tensor.numel()).view(tensor.sizes()));
    offset += tensor.numel();
  }
}

std::string where_of(const LaunchEnv& env) {
  return "rank " + std::to_string(env.rank) + " of " + std::to_string(env.world_size) + " (" + env.launcher + ", " +
         env.master_addr + ":" + std::to_string(env.master_port) + ")";
}

}  // namespace

std::unique_ptr<ProcessGroup> ProcessGroup::join(const LaunchEnv& env, std::chrono::milliseconds timeout) {
  auto impl = std::make_unique<Impl>();
  impl->env = env;
  impl->timeout = timeout;
  try {
    c10d::TCPStoreOptions options;
    options.port = static_cast<std::uint16_t>(env.master_port);
    options.isServer = env.rank == 0;
    options.numWorkers = env.world_size;
    options.timeout = timeout;
    impl->store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, options);
    auto gloo = c10d::ProcessGroupGloo::Options::create(timeout);
    gloo->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(env.master_addr));
    impl->group = c10::make_intrusive<c10d::ProcessGroupGloo>(impl->store, env.rank, env.world_size, gloo);
  } catch (const std::exception& error) {
    throw UserError(where_of(env) + ": could not join the job within " + std::to_string(timeout.count() / 1000) +
                    " s (run.dist_timeout): " + dist_first_line(error.what()) +
                    "; check that every rank started and that MASTER_ADDR:MASTER_PORT is reachable from all of them");
  }
  return std::unique_ptr<ProcessGroup>(new ProcessGroup(std::move(impl)));
}

ProcessGroup::ProcessGroup(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ProcessGroup::~ProcessGroup() = default;

int ProcessGroup::rank() const { return impl_->env.rank; }
int ProcessGroup::world_size() const { return impl_->env.world_size; }

// A collective whose peer died or hung surfaces as a c10d exception after the timeout.
void ProcessGroup::run(const std::string& what, const std::function<void()>& collective) {
  try {
    collective();
  } catch (const std::exception& error) {
    throw UserError(where_of(impl_->env) + ": " + what + " failed: " + dist_first_line(error.what()) +
                    "; another rank stopped or is unreachable (the job stops rather than hang)");
  }
}

void ProcessGroup::all_reduce_sum(std::vector<at::Tensor>& tensors) {
  run("all-reduce", [&] {
    through_one_bucket(tensors, [&](std::vector<at::Tensor>& bucket) { impl_->group->allreduce(bucket)->wait(impl_->timeout); });
  });
}

void ProcessGroup::all_reduce_max(std::vector<at::Tensor>& tensors) {
  c10d::AllreduceOptions options;
  options.reduceOp = c10d::ReduceOp::MAX;
  run("all-reduce (max)", [&] {
    through_one_bucket(tensors,
                       [&](std::vector<at::Tensor>& bucket) { impl_->group->allreduce(bucket, options)->wait(impl_->timeout); });
  });
}

void ProcessGroup::all_reduce_mean(std::vector<at::Tensor>& tensors) {
  all_reduce_sum(tensors);
  for (auto& tensor : tensors) tensor.div_(world_size());
}

void ProcessGroup::broadcast_from_rank0(std::vector<at::Tensor>& tensors) {
  run("broadcast", [&] {
    through_one_bucket(tensors, [&](std::vector<at::Tensor>& bucket) { impl_->group->broadcast(bucket)->wait(impl_->timeout); });
  });
}

void ProcessGroup::barrier() {
  run("barrier", [&] { impl_->group->barrier()->wait(impl_->timeout); });
}

std::string ProcessGroup::broadcast_text(const std::string& text) {
  std::vector<at::Tensor> length{at::full({1}, static_cast<int64_t>(text.size()), at::kLong)};
  broadcast_from_rank0(length);
  std::vector<at::Tensor> bytes{at::zeros({length[0].item<int64_t>()}, at::kByte)};
  if (rank() == 0) std::memcpy(bytes[0].data_ptr(), text.data(), text.size());
  if (bytes[0].numel() > 0) broadcast_from_rank0(bytes);
  return std::string(static_cast<const char*>(bytes[0].data_ptr()), bytes[0].numel());
}

}  // namespace tpq::dist
