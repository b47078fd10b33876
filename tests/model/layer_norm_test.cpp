// LayerNorm with FP32 math for BF16/FP16 CPU inputs (tpq/model/layer_norm.h): the result is the
// FP32 norm rounded once, which LibTorch 1.13's own BFloat16 kernel is not (it differed in about
// half the elements), and the encoder's embeddings and layers go through it.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/small_models.h"
#include "tpq/model/encoder_classifier.h"
#include "tpq/model/layer_norm.h"

namespace {

using tpq::model::layer_norm;

torch::nn::LayerNorm random_norm(int64_t width, torch::ScalarType dtype) {
  torch::nn::LayerNorm norm(torch::nn::LayerNormOptions({width}).eps(1e-12));
  torch::NoGradGuard no_grad;
  norm->weight.uniform_(0.5, 1.5);
  norm->bias.uniform_(-0.2, 0.2);
  norm->to(dtype);
  return norm;
}

// What layer_norm promises: the FP32 norm of the widened input and parameters, rounded once.
torch::Tensor fp32_norm_rounded(const torch::nn::LayerNorm& norm, const torch::Tensor& x) {
  const auto& options = norm->options;
  return torch::layer_norm(x.to(torch::kFloat), options.normalized_shape(), norm->weight.to(torch::kFloat),
                           norm->bias.to(torch::kFloat), options.eps())
      .to(x.scalar_type());
}

TEST(LayerNormInFp32, Bf16InputGivesTheFp32NormRoundedOnce) {
  torch::manual_seed(0);
  auto norm = random_norm(96, torch::kBFloat16);
  const auto x = (torch::randn({64, 96}) * 3 + 1).to(torch::kBFloat16);
  torch::NoGradGuard no_grad;
  const auto result = layer_norm(*norm, x);
  EXPECT_EQ(result.scalar_type(), torch::kBFloat16);
  EXPECT_TRUE(torch::equal(result, fp32_norm_rounded(norm, x)));
}

TEST(LayerNormInFp32, Fp16InputToo) {
  torch::manual_seed(1);
  auto norm = random_norm(40, torch::kHalf);
  const auto x = torch::randn({8, 40}).to(torch::kHalf);
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::equal(layer_norm(*norm, x), fp32_norm_rounded(norm, x)));
}

TEST(LayerNormInFp32, Fp32InputIsTheModulesOwnForward) {
  torch::manual_seed(2);
  auto norm = random_norm(40, torch::kFloat);
  const auto x = torch::randn({8, 40});
  EXPECT_FALSE(tpq::model::layer_norm_widens(x));
  EXPECT_TRUE(torch::equal(layer_norm(*norm, x), norm->forward(x)));
}

TEST(LayerNormInFp32, GradientsReachTheBf16InputAndParameters) {
  torch::manual_seed(3);
  auto norm = random_norm(40, torch::kBFloat16);
  const auto x = torch::randn({8, 40}).to(torch::kBFloat16).requires_grad_(true);
  (layer_norm(*norm, x).to(torch::kFloat) * torch::randn({8, 40})).sum().backward();
  ASSERT_TRUE(x.grad().defined());
  EXPECT_EQ(x.grad().scalar_type(), torch::kBFloat16);
  EXPECT_TRUE(norm->weight.grad().defined());
  EXPECT_GT(x.grad().abs().max().item<double>(), 0.0);
}

class Bf16Encoder : public ::testing::Test {
 protected:
  void SetUp() override {
    torch::manual_seed(4);
    model = tpq::model::EncoderClassifier(tpq::testing::small_bert_config(100, 32, 2, 4, 64, 40));
    model->eval();
    model->to(torch::kBFloat16);
  }
  tpq::model::EncoderClassifier model{nullptr};
};

// With the position and type tables zero the sum before the norm is the word rows themselves.
TEST_F(Bf16Encoder, EmbeddingsNormInFp32) {
  torch::NoGradGuard no_grad;
  auto& embeddings = *model->embeddings;
  embeddings.position_embeddings->weight.zero_();
  embeddings.token_type_embeddings->weight.zero_();
  const auto ids = torch::randint(1, 100, {2, 7}, torch::kLong);
  const auto expected = fp32_norm_rounded(embeddings.LayerNorm, embeddings.word_embeddings(ids));
  EXPECT_TRUE(torch::equal(embeddings.forward(ids, torch::zeros_like(ids)), expected));
}

// With the FFN's output projection zero, its branch adds exact zeros: the layer's output is the norm
// of its input.
TEST_F(Bf16Encoder, LayersAddAndNormInFp32) {
  torch::NoGradGuard no_grad;
  auto& layer = *model->layers[0];
  layer.ffn_out->weight.zero_();
  layer.ffn_out->bias.zero_();
  const auto attended = torch::randn({2, 7, 32}).to(torch::kBFloat16);
  const auto out = layer.feed_forward({attended, {}}).full;
  EXPECT_TRUE(torch::equal(out, fp32_norm_rounded(layer.output_norm, attended)));
}

}  // namespace
