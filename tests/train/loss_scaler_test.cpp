// fp16 loss scaling: unscaled gradients are exact, overflow skips the step and halves the scale.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "train/loss_scaler.h"

namespace {

TEST(LossScaler, UnscalesGradientsAndGrowsAfterGoodSteps) {
  tpq::train::LossScaler scaler(true, 1024.0, /*growth_interval=*/2);
  auto weight = torch::ones({3}, torch::requires_grad());
  scaler.scale((weight * 2).sum()).backward();
  EXPECT_TRUE(scaler.unscale_and_check({weight}));
  EXPECT_TRUE(torch::allclose(weight.grad(), torch::full({3}, 2.0)));
  weight.mutable_grad().zero_();
  scaler.scale((weight * 2).sum()).backward();
  EXPECT_TRUE(scaler.unscale_and_check({weight}));
  EXPECT_EQ(scaler.current_scale(), 2048.0);
}

TEST(LossScaler, OverflowSkipsAndHalves) {
  tpq::train::LossScaler scaler(true, 1024.0);
  auto weight = torch::ones({2}, torch::requires_grad());
  weight.mutable_grad() = torch::tensor({1.0f, std::numeric_limits<float>::infinity()});
  EXPECT_FALSE(scaler.unscale_and_check({weight}));
  EXPECT_EQ(scaler.current_scale(), 512.0);
  EXPECT_EQ(scaler.skipped_steps(), 1);
}

TEST(LossScaler, DisabledIsTheIdentity) {
  tpq::train::LossScaler scaler(false);
  const auto loss = torch::tensor(3.0);
  EXPECT_TRUE(torch::equal(scaler.scale(loss), loss));
  EXPECT_EQ(scaler.current_scale(), 1.0);
}

}  // namespace
