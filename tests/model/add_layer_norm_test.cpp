// The fused residual add + LayerNorm of training under bf16 autocast against the separate ops it
// replaces (cast the branch, add, LayerNorm, cast the result for the next products), for both row
// kernels and a width that is no multiple of 16; and the encoder layers choosing it.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "support/autograd_graph.h"
#include "support/small_models.h"
#include "tpq/model/add_layer_norm.h"
#include "tpq/model/encoder_classifier.h"
#include "train/autocast_scope.h"

namespace {

using tpq::model::add_layer_norm;

constexpr int64_t kNormWidth = 40;  // two whole vectors of 16 lanes and a partial one
constexpr double kNormEps = 1e-12;

struct NormOperands {
  torch::Tensor branch, residual, weight, bias;
};

NormOperands norm_leaves(const NormOperands& values) {
  return {values.branch.detach().clone().requires_grad_(true), values.residual.detach().clone().requires_grad_(true),
          values.weight.detach().clone().requires_grad_(true), values.bias.detach().clone().requires_grad_(true)};
}

NormOperands random_norm_operands(int64_t seed) {
  torch::manual_seed(seed);
  return {(torch::randn({3, 7, kNormWidth}) * 2).to(torch::kBFloat16), torch::randn({3, 7, kNormWidth}) + 0.5,
          torch::rand({kNormWidth}) + 0.5, torch::randn({kNormWidth}) * 0.1};
}

struct NormResult {
  torch::Tensor full, low;
  std::vector<torch::Tensor> grads;  // branch, residual, weight, bias
};

// Back-propagates the given upstream gradients (undefined: that output unused).
NormResult finish_norm(const NormOperands& in, const tpq::model::HiddenStates& out, const torch::Tensor& grad_full,
              const torch::Tensor& grad_low) {
  std::vector<torch::Tensor> outputs, upstream;
  if (grad_full.defined()) outputs.push_back(out.full), upstream.push_back(grad_full);
  if (grad_low.defined()) outputs.push_back(out.low), upstream.push_back(grad_low);
  torch::autograd::backward(outputs, upstream);
  return {out.full.detach(), out.low.detach(), {in.branch.grad(), in.residual.grad(), in.weight.grad(), in.bias.grad()}};
}

NormResult separate_norm_ops(const NormOperands& values, const torch::Tensor& grad_full, const torch::Tensor& grad_low) {
  const tpq::train::AutocastScope autocast("bf16", torch::kCPU);
  const auto in = norm_leaves(values);
  const auto full = torch::layer_norm(in.branch.to(torch::kFloat) + in.residual, {kNormWidth}, in.weight, in.bias, kNormEps);
  return finish_norm(in, {full, full.to(torch::kBFloat16)}, grad_full, grad_low);
}

NormResult fused_norm(const NormOperands& values, const torch::Tensor& grad_full, const torch::Tensor& grad_low, bool vectorized) {
  const tpq::train::AutocastScope autocast("bf16", torch::kCPU);
  const auto in = norm_leaves(values);
  EXPECT_TRUE(tpq::model::add_layer_norm_applies(in.branch, in.residual, in.weight, in.bias));
  return finish_norm(in, add_layer_norm(in.branch, in.residual, in.weight, in.bias, kNormEps, vectorized), grad_full, grad_low);
}

void expect_norm_matches(const NormResult& result, const NormResult& reference, const std::string& where) {
  EXPECT_TRUE(torch::allclose(result.full, reference.full, 1e-5, 1e-5)) << where;
  // The copy is the FP32 result rounded to nearest even, as autocast's cast would round it.
  EXPECT_TRUE(torch::equal(result.low, result.full.to(torch::kBFloat16))) << where;
  const double branch_gap = (result.grads[0].to(torch::kFloat) - reference.grads[0].to(torch::kFloat)).abs().max().item<double>();
  EXPECT_LT(branch_gap, 1.0 / 64 * reference.grads[0].to(torch::kFloat).abs().max().item<double>()) << where;
  EXPECT_EQ(result.grads[0].scalar_type(), torch::kBFloat16) << where;
  for (size_t i = 1; i < 4; ++i) {
    EXPECT_TRUE(torch::allclose(result.grads[i], reference.grads[i], 1e-4, 1e-5)) << where << ", gradient " << i;
  }
}

TEST(AddLayerNorm, MatchesCastAddLayerNormAndCastWithBothOutputsUsed) {
  const auto values = random_norm_operands(1);
  torch::manual_seed(11);
  const auto grad_full = torch::randn({3, 7, kNormWidth});
  const auto grad_low = torch::randn({3, 7, kNormWidth}).to(torch::kBFloat16);
  const auto reference = separate_norm_ops(values, grad_full, grad_low);
  for (bool vectorized : {true, false}) {
    expect_norm_matches(fused_norm(values, grad_full, grad_low, vectorized), reference, "vectorized " + std::to_string(vectorized));
  }
}

TEST(AddLayerNorm, AnUnusedOutputContributesNothing) {
  const auto values = random_norm_operands(2);
  torch::manual_seed(12);
  const auto grad_full = torch::randn({3, 7, kNormWidth});
  const auto grad_low = torch::randn({3, 7, kNormWidth}).to(torch::kBFloat16);
  expect_norm_matches(fused_norm(values, grad_full, {}, true), separate_norm_ops(values, grad_full, {}), "FP32 output alone");
  expect_norm_matches(fused_norm(values, {}, grad_low, true), separate_norm_ops(values, {}, grad_low), "bf16 copy alone");
}

TEST(AddLayerNorm, WeightGradientsDoNotDependOnTheThreadCount) {
  torch::manual_seed(3);
  const NormOperands values{torch::randn({64, 37, kNormWidth}).to(torch::kBFloat16), torch::randn({64, 37, kNormWidth}),
                        torch::rand({kNormWidth}) + 0.5, torch::randn({kNormWidth})};
  const auto grad_full = torch::randn({64, 37, kNormWidth});
  const int threads = torch::get_num_threads();
  torch::set_num_threads(1);
  const auto one = fused_norm(values, grad_full, {}, true);
  torch::set_num_threads(2);
  const auto two = fused_norm(values, grad_full, {}, true);
  torch::set_num_threads(threads);
  EXPECT_TRUE(torch::equal(one.grads[2], two.grads[2]));
  EXPECT_TRUE(torch::equal(one.grads[3], two.grads[3]));
}

TEST(AddLayerNorm, AppliesOnlyToBf16BranchesUnderBf16AutocastWithGradients) {
  const auto values = random_norm_operands(4);
  const auto& [branch, residual, weight, bias] = values;
  EXPECT_FALSE(tpq::model::add_layer_norm_applies(branch, residual, weight, bias)) << "autocast off";
  const tpq::train::AutocastScope autocast("bf16", torch::kCPU);
  EXPECT_TRUE(tpq::model::add_layer_norm_applies(branch, residual, weight, bias));
  EXPECT_FALSE(tpq::model::add_layer_norm_applies(branch.to(torch::kFloat), residual, weight, bias));
  EXPECT_FALSE(tpq::model::add_layer_norm_applies(branch, residual.to(torch::kBFloat16), weight, bias));
  EXPECT_FALSE(tpq::model::add_layer_norm_applies(branch, residual, torch::Tensor(), bias));
  EXPECT_FALSE(tpq::model::add_layer_norm_applies(branch.transpose(0, 1), residual.transpose(0, 1), weight, bias));
  torch::NoGradGuard no_grad;
  EXPECT_FALSE(tpq::model::add_layer_norm_applies(branch, residual, weight, bias)) << "no gradients";
}

// Logits and every parameter's gradient of one training step under bf16 autocast.
std::vector<torch::Tensor> norm_training_step(tpq::model::EncoderClassifier& model, const tpq::model::ModelInputs& inputs,
                                         bool fused_add_norm, bool* used_fused) {
  tpq::model::set_fused_add_layer_norm(fused_add_norm);
  model->zero_grad();
  torch::Tensor logits;
  {
    const tpq::train::AutocastScope autocast("bf16", torch::kCPU);
    logits = model->forward(inputs).logits.to(torch::kFloat);
  }
  *used_fused = tpq::testing::graph_has_node(logits, "AddLayerNorm");
  logits.pow(2).sum().backward();
  tpq::model::set_fused_add_layer_norm(true);
  std::vector<torch::Tensor> values{logits.detach()};
  for (const auto& parameter : model->parameters()) {
    if (parameter.grad().defined()) values.push_back(parameter.grad().clone());
  }
  return values;
}

TEST(AddLayerNorm, TrainingUnderAutocastUsesItAndGivesTheSeparateOpsGradients) {
  torch::manual_seed(5);
  auto config = tpq::testing::small_bert_config(100, 32, 2, 4, 64, 40);
  config.hidden_dropout_prob = 0.0;
  config.attention_probs_dropout_prob = 0.0;
  tpq::model::EncoderClassifier model(config);
  model->train();
  const tpq::model::ModelInputs inputs{torch::randint(1, 100, {2, 9}, torch::kLong), torch::zeros({2, 9}, torch::kLong),
                                       torch::tensor({{1, 1, 1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 0, 0, 0, 0}})};
  bool fused_used = false, separate_used = true;
  const auto fused_values = norm_training_step(model, inputs, true, &fused_used);
  const auto separate_values = norm_training_step(model, inputs, false, &separate_used);
  EXPECT_TRUE(fused_used);
  EXPECT_FALSE(separate_used);
  ASSERT_EQ(fused_values.size(), separate_values.size());
  for (size_t i = 0; i < fused_values.size(); ++i) {
    const double scale = separate_values[i].abs().max().item<double>();
    const double gap = (fused_values[i] - separate_values[i]).abs().max().item<double>();
    // bf16 products on both sides: they differ by where the gradients are rounded to bf16.
    EXPECT_LE(gap, 0.02 * scale + 1e-6) << "tensor " << i;
  }
}

}  // namespace
