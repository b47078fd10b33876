// The fused softmax-dropout of training attention against the separate ops it replaces
// (softmax(scores + mask) then CounterDropout, with the same seed and so the same keep mask), for
// FP32 and BF16, both row kernels, a padded mask and rows whose length is no multiple of 16 or 4;
// and the encoder layer choosing it in training.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <functional>

#include "support/autograd_graph.h"
#include "support/small_models.h"
#include "tpq/model/counter_dropout.h"
#include "tpq/model/encoder_classifier.h"
#include "tpq/model/softmax_dropout.h"

namespace {

using tpq::model::softmax_dropout;

constexpr double kP = 0.25;
constexpr int64_t kLength = 37;  // a partial vector of 16 lanes and a partial hash group of 4

// (B, 1, 1, T) additive mask with the last positions of batch row 1 padded (in the model's way).
torch::Tensor padded_mask(torch::ScalarType dtype) {
  auto attention = torch::ones({2, kLength}, torch::kLong);
  attention.index_put_({1, torch::indexing::Slice(kLength - 9)}, 0);
  return tpq::model::additive_attention_mask(attention, dtype);
}

struct Result {
  torch::Tensor out, grad;
};

// Runs f on a fresh leaf copy of scores under seed 7 and back-propagates upstream.
Result run(const torch::Tensor& scores, const torch::Tensor& upstream,
           const std::function<torch::Tensor(const torch::Tensor&)>& f) {
  const auto leaf = scores.detach().clone().requires_grad_(true);
  torch::manual_seed(7);
  const auto out = f(leaf);
  out.backward(upstream);
  return {out.detach(), leaf.grad()};
}

Result separate_ops(const torch::Tensor& scores, const torch::Tensor& mask, const torch::Tensor& upstream) {
  return run(scores, upstream, [&](const torch::Tensor& s) {
    return tpq::model::counter_dropout(torch::softmax(s + mask, -1), kP, /*training=*/true);
  });
}

Result fused(const torch::Tensor& scores, const torch::Tensor& mask, const torch::Tensor& upstream, bool vectorized) {
  return run(scores, upstream, [&](const torch::Tensor& s) { return softmax_dropout(s, mask, kP, vectorized); });
}

TEST(SoftmaxDropout, Fp32MatchesTheSeparateOpsWithTheSameMask) {
  torch::manual_seed(1);
  const auto scores = torch::randn({2, 3, kLength, kLength}) * 3;
  const auto upstream = torch::randn_like(scores);
  const auto mask = padded_mask(torch::kFloat);
  const auto reference = separate_ops(scores, mask, upstream);
  for (bool vectorized : {true, false}) {
    const auto result = fused(scores, mask, upstream, vectorized);
    EXPECT_TRUE(torch::equal(result.out.eq(0), reference.out.eq(0))) << "the keep mask differs; vectorized " << vectorized;
    EXPECT_TRUE(torch::allclose(result.out, reference.out, 1e-5, 1e-7)) << "vectorized " << vectorized;
    EXPECT_TRUE(torch::allclose(result.grad, reference.grad, 1e-4, 1e-6)) << "vectorized " << vectorized;
    EXPECT_TRUE(result.out.slice(3, kLength - 9).select(0, 1).eq(0).all().item<bool>()) << "padding gets no weight";
  }
}

// BF16 scores and mask (autocast's dtypes). The reference is FP32 math on the same BF16 values; the
// fused node must sit within BF16's rounding of it (2^-8 relative), where the kept values differ by
// up to 1 / (1 - p) and the gradients by about 1.
TEST(SoftmaxDropout, Bf16IsTheFp32ResultRoundedOnce) {
  torch::manual_seed(2);
  const auto scores = (torch::randn({2, 3, kLength, kLength}) * 3).to(torch::kBFloat16);
  const auto upstream = torch::randn(scores.sizes()).to(torch::kBFloat16);
  const auto reference = separate_ops(scores.to(torch::kFloat), padded_mask(torch::kFloat), upstream.to(torch::kFloat));
  for (bool vectorized : {true, false}) {
    const auto result = fused(scores, padded_mask(torch::kBFloat16), upstream, vectorized);
    ASSERT_EQ(result.out.scalar_type(), torch::kBFloat16);
    ASSERT_EQ(result.grad.scalar_type(), torch::kBFloat16);
    EXPECT_TRUE(torch::equal(result.out.eq(0), reference.out.eq(0))) << "vectorized " << vectorized;
    EXPECT_TRUE(torch::allclose(result.out.to(torch::kFloat), reference.out, 1.0 / 128, 1e-6)) << "vectorized " << vectorized;
    const double grad_gap = (result.grad.to(torch::kFloat) - reference.grad).abs().max().item<double>();
    EXPECT_LT(grad_gap, 0.02 * reference.grad.abs().max().item<double>()) << "vectorized " << vectorized;
  }
}

TEST(SoftmaxDropout, WithoutAMaskAndAtLengthsOfWholeVectors) {
  torch::manual_seed(3);
  const auto scores = torch::randn({1, 2, 32, 32});
  const auto upstream = torch::randn_like(scores);
  const auto reference = separate_ops(scores, torch::zeros({1, 1, 1, 32}), upstream);
  const auto result = fused(scores, torch::Tensor(), upstream, true);
  EXPECT_TRUE(torch::allclose(result.out, reference.out, 1e-5, 1e-7));
  EXPECT_TRUE(torch::allclose(result.grad, reference.grad, 1e-4, 1e-6));
}

TEST(SoftmaxDropout, RejectsWhatItCannotTake) {
  EXPECT_FALSE(tpq::model::softmax_dropout_applies(torch::randn({2, 3, 4}), torch::Tensor()));
  EXPECT_FALSE(tpq::model::softmax_dropout_applies(torch::randn({1, 1, 4, 4}, torch::kDouble), torch::Tensor()));
  EXPECT_FALSE(tpq::model::softmax_dropout_applies(torch::randn({2, 1, 4, 4}), torch::zeros({2, 1, 4, 4})));
  EXPECT_THROW(softmax_dropout(torch::randn({1, 1, 4, 4}), torch::Tensor(), 0.0), std::exception);
}

bool has_fused_node(const torch::Tensor& out) { return tpq::testing::graph_has_node(out, "SoftmaxDropout"); }

TEST(SoftmaxDropout, TrainingAttentionUsesItAndEvaluationDoesNot) {
  torch::manual_seed(4);
  tpq::model::EncoderClassifier model(tpq::testing::small_bert_config(100, 32, 1, 4, 64, 40));
  const tpq::model::ModelInputs inputs{torch::randint(1, 100, {2, 9}, torch::kLong), torch::zeros({2, 9}, torch::kLong),
                                       torch::tensor({{1, 1, 1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 0, 0, 0, 0}})};
  model->train();
  EXPECT_TRUE(has_fused_node(model->forward(inputs).logits));
  model->eval();
  EXPECT_FALSE(has_fused_node(model->forward(inputs).logits));
}

}  // namespace
