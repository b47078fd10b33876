// DDP's synchronisation points for a training loop, over a process group: the initial weights
// come from rank 0 and gradients are averaged once per optimizer step. A null group or a group
// of one rank makes each a no-op, so a single process runs the same loop.
#pragma once

#include <cstdint>
#include <vector>

#include <ATen/Tensor.h>

namespace tpq::dist {

class ProcessGroup;

bool is_data_parallel(const ProcessGroup* group);
bool is_rank_zero(const ProcessGroup* group);
int rank_of(const ProcessGroup* group);        // 0 for a single process
int world_size_of(const ProcessGroup* group);  // 1 for a single process

// How many ranks hold `condition`, known to every rank: a rank that is about to stop tells the
// others, so none waits for a partner that has gone.
int64_t count_ranks_where(ProcessGroup& group, bool condition);

// In place, without autograd: every rank ends with rank 0's values.
void broadcast_weights(ProcessGroup* group, std::vector<at::Tensor> tensors);

// The mean over ranks of each parameter's gradient, in one bucketed all-reduce after backward (an
// undefined gradient counts as zeros, so every rank sends the same layout). c10d::Reducer would
// overlap it with backward, but it hooks autograd through Python-side machinery that LibTorch
// 1.13's C++ frontend does not expose; on a CPU the all-reduce is small beside the step.
void average_gradients(ProcessGroup* group, const std::vector<at::Tensor>& parameters);

}  // namespace tpq::dist
