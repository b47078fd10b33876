// Under bf16 autocast a training Linear is ATen's linear op (bf16 bias, added in the GEMM), the op
// PyTorch's nn.Linear runs; not the functional composite (bf16 product + `+= FP32 bias`, which
// runs on TensorIterator's slow casting path at 3.4x the cost of the whole linear).
#include <ATen/autocast_mode.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <vector>

#include "tpq/model/linear.h"

namespace {

TEST(LinearUnderAutocast, TrainingForwardIsAtenLinear) {
  torch::manual_seed(5);
  tpq::model::Linear linear(64, 96);
  {
    torch::NoGradGuard no_grad;
    linear->bias.normal_(0.0, 1.0);
  }
  const auto x = torch::randn({4, 33, 64}, torch::requires_grad());
  at::autocast::set_cpu_enabled(true);
  at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
  const auto out = linear->forward(x);
  const auto aten_linear = torch::linear(x, linear->weight, linear->bias);
  const auto composite = torch::nn::functional::linear(x, linear->weight, linear->bias);
  at::autocast::set_cpu_enabled(false);
  at::autocast::clear_cache();

  EXPECT_EQ(out.scalar_type(), torch::kBFloat16);
  EXPECT_TRUE(out.requires_grad());
  EXPECT_TRUE(torch::equal(out, aten_linear));
  // The values can agree (bf16 rounding hides the order), so the autograd node tells which op ran.
  EXPECT_EQ(out.grad_fn()->name(), aten_linear.grad_fn()->name());
  EXPECT_NE(out.grad_fn()->name(), composite.grad_fn()->name());
}

// Linears sharing an input (query, key, value) run in training as one product with their weights
// stacked: the same outputs and gradients as one product each, and the input cast once under autocast.
TEST(StackedLinears, TrainingGivesEachLinearsOutputAndGradients) {
  torch::manual_seed(6);
  std::vector<tpq::model::Linear> linears{tpq::model::Linear(24, 16), tpq::model::Linear(24, 16), tpq::model::Linear(24, 8)};
  std::vector<tpq::model::LinearImpl*> raw;
  for (auto& linear : linears) {
    torch::NoGradGuard no_grad;
    linear->weight.normal_(0.0, 0.2);
    linear->bias.normal_(0.0, 1.0);
    raw.push_back(linear.get());
  }
  const auto x = torch::randn({3, 5, 24}, torch::requires_grad());
  const auto upstream = torch::randn({3, 5, 40});
  const auto run = [&](bool stacked) {
    for (auto& linear : linears) linear->zero_grad();
    x.mutable_grad().reset();
    std::vector<torch::Tensor> outputs;
    if (stacked) {
      outputs = tpq::model::forward_sharing_input(raw, x);
    } else {
      for (auto& linear : linears) outputs.push_back(linear->forward(x));
    }
    const auto joined = torch::cat(outputs, -1);
    joined.backward(upstream);
    std::vector<torch::Tensor> values{x.grad().clone()};
    for (const auto& output : outputs) values.push_back(output.detach());
    for (auto& linear : linears) values.push_back(linear->weight.grad().clone()), values.push_back(linear->bias.grad().clone());
    return std::make_pair(values, outputs.front().grad_fn()->name());
  };
  const auto [stacked, stacked_node] = run(true);
  const auto [separate, separate_node] = run(false);
  EXPECT_NE(stacked_node.find("Split"), std::string::npos) << "training stacks the weights: " << stacked_node;
  ASSERT_EQ(stacked.size(), separate.size());
  for (size_t i = 0; i < stacked.size(); ++i) {
    ASSERT_EQ(stacked[i].sizes(), separate[i].sizes()) << i;
    EXPECT_TRUE(torch::allclose(stacked[i], separate[i], 1e-5, 1e-6)) << i;
  }
  for (auto& linear : linears) linear->eval();
  const auto evaluated = tpq::model::forward_sharing_input(raw, x);
  EXPECT_EQ(evaluated.front().grad_fn()->name().find("Split"), std::string::npos) << "evaluation keeps one product each";
}

}  // namespace
