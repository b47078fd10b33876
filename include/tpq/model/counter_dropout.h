// Dropout whose keep/drop decisions come from a counter-based hash (SplitMix64 of a per-call seed
// and the element's position), drawn in parallel. ATen 1.13's CPU dropout draws one float per
// element from a single serial mt19937 stream (bernoulli_) and keeps a float mask for backward:
// on the default profile's (32, 4, 512, 512) attention probabilities that was a third of the
// training step. Here the mask is one byte per element and the draw runs on every thread.
// The per-call seed comes from LibTorch's default CPU generator, so torch::manual_seed still makes
// a run reproducible, and the mask does not depend on the thread count.
#pragma once

#include <torch/nn/cloneable.h>
#include <torch/types.h>

namespace tpq::model {

// Inverted dropout: in training, each element is zeroed with probability p (to 1/65536) and the
// rest are scaled by 1 / keep-probability; outside training, or for p == 0, the input itself.
// CPU tensors use the counter-based mask; others fall back to torch::dropout.
torch::Tensor counter_dropout(const torch::Tensor& input, double p, bool training);

// The module form, a drop-in for torch::nn::Dropout in the encoder's module tree.
class CounterDropoutImpl : public torch::nn::Cloneable<CounterDropoutImpl> {
 public:
  explicit CounterDropoutImpl(double p = 0.5) : p(p) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  torch::Tensor forward(const torch::Tensor& input) { return counter_dropout(input, p, is_training()); }

  double p;
};
TORCH_MODULE(CounterDropout);

}  // namespace tpq::model
