// Under bf16 autocast a training Linear is ATen's linear op (bf16 bias, added in the GEMM), the op
// PyTorch's nn.Linear runs; not the functional composite (bf16 product + `+= FP32 bias`, which
// runs on TensorIterator's slow casting path at 3.4x the cost of the whole linear).
#include <ATen/autocast_mode.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

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

}  // namespace
