// The fused MLM decoder + loss (linear_cross_entropy) against the unfused ops it replaces:
// cross_entropy(linear(x, W, b), labels), in FP32 and under bf16 autocast, value and gradients.
#include <string>

#include <ATen/autocast_mode.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "tpq/model/linear.h"
#include "tpq/train/vocab_cross_entropy.h"

namespace {

struct Case {
  torch::Tensor x, weight, bias, labels;
};

// 37 rows over a 20 000-piece vocabulary: the FP32 passes go 13 rows a block, so the last block is partial.
Case make_case() {
  torch::manual_seed(11);
  Case c;
  c.x = torch::randn({37, 24}, torch::requires_grad());
  c.weight = (0.5 * torch::randn({20000, 24})).requires_grad_();
  c.bias = (0.1 * torch::randn({20000})).requires_grad_();
  c.labels = torch::randint(0, 20000, {37}, torch::kLong);
  return c;
}

std::vector<torch::Tensor> loss_and_gradients(const Case& c, bool fused) {
  const auto loss = fused ? tpq::train::linear_cross_entropy(c.x, c.weight, c.bias, c.labels)
                          : torch::nn::functional::cross_entropy(tpq::model::linear_op(c.x, c.weight, c.bias), c.labels);
  auto result = torch::autograd::grad({loss}, {c.x, c.weight, c.bias});
  result.insert(result.begin(), loss.detach());
  return result;
}

double max_difference(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

void expect_close(const std::vector<torch::Tensor>& fused, const std::vector<torch::Tensor>& reference, double relative) {
  const char* names[] = {"loss", "x gradient", "weight gradient", "bias gradient"};
  for (size_t i = 0; i < reference.size(); ++i) {
    const double scale = reference[i].abs().max().item<double>();
    ASSERT_GT(scale, 0.0) << names[i];
    EXPECT_LE(max_difference(fused[i], reference[i]), relative * scale)
        << names[i] << ": max difference " << max_difference(fused[i], reference[i]) << " on entries up to " << scale;
    EXPECT_EQ(fused[i].scalar_type(), reference[i].scalar_type()) << names[i];
  }
}

TEST(VocabCrossEntropy, Fp32ValueAndGradientsEqualTheUnfusedOps) {
  const auto c = make_case();
  // FP32 sums in another order: 1e-6 of the largest entry; a wrong softmax gradient, label term or
  // normaliser is off by O(1) of it.
  expect_close(loss_and_gradients(c, true), loss_and_gradients(c, false), 1e-5);
}

TEST(VocabCrossEntropy, Bf16AutocastValueAndGradientsMatchAutocastsOps) {
  const auto c = make_case();
  std::vector<torch::Tensor> fused, reference;
  {
    at::autocast::set_cpu_enabled(true);
    at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
    fused = loss_and_gradients(c, true);
    reference = loss_and_gradients(c, false);
    at::autocast::set_cpu_enabled(false);
    at::autocast::clear_cache();
  }
  // Both make the same bf16 logits; the gradients pass through bf16 in both, rounded from FP32
  // values that differ in the last bits: a bf16 ulp (2^-8) of the largest entry.
  expect_close(fused, reference, 1.0 / 128);
  EXPECT_NEAR(fused[0].item<double>(), reference[0].item<double>(), 1e-5 * reference[0].item<double>());
}

TEST(VocabCrossEntropy, RejectsALabelOutsideTheVocabulary) {
  auto c = make_case();
  c.labels[3] = 20000;
  try {
    tpq::train::linear_cross_entropy(c.x, c.weight, c.bias, c.labels);
    FAIL() << "accepted label 20000 of a 20000-piece vocabulary";
  } catch (const std::exception& error) {
    EXPECT_NE(std::string(error.what()).find("vocabulary id in [0, 20000)"), std::string::npos) << error.what();
  }
}

}  // namespace
