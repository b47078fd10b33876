#include "tpq/dist/data_parallel.h"

#include <cmath>

#include <torch/torch.h>

#include "tpq/dist/process_group.h"

namespace tpq::dist {

bool is_data_parallel(const ProcessGroup* group) { return group && group->world_size() > 1; }

bool is_rank_zero(const ProcessGroup* group) { return !group || group->rank() == 0; }

int rank_of(const ProcessGroup* group) { return group ? group->rank() : 0; }

int world_size_of(const ProcessGroup* group) { return group ? group->world_size() : 1; }

int64_t count_ranks_where(ProcessGroup& group, bool condition) {
  std::vector<at::Tensor> count{torch::full({1}, condition ? 1.0 : 0.0, torch::kDouble)};
  group.all_reduce_sum(count);
  return std::llround(count[0].item<double>());
}

void broadcast_weights(ProcessGroup* group, std::vector<at::Tensor> tensors) {
  if (!is_data_parallel(group)) return;
  torch::NoGradGuard no_grad;
  group->broadcast_from_rank0(tensors);
}

void average_gradients(ProcessGroup* group, const std::vector<at::Tensor>& parameters) {
  if (!is_data_parallel(group)) return;
  std::vector<at::Tensor> gradients;
  for (auto parameter : parameters) {
    if (!parameter.grad().defined()) parameter.mutable_grad() = torch::zeros_like(parameter);
    gradients.push_back(parameter.grad());
  }
  group->all_reduce_mean(gradients);
}

}  // namespace tpq::dist
