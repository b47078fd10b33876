// tpq's oneDNN attention against LibTorch's ops, and the encoder layer's choice between them.
#include <limits>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "tpq/kernels/attention.h"
#include "tpq/model/encoder_classifier.h"

namespace {

// softmax(q k^T * scale + mask) v with LibTorch's ops, as the encoder layer computes it.
torch::Tensor reference_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                  const torch::Tensor& mask, int64_t heads, double scale) {
  const int64_t batch = q.size(0), length = q.size(1), width = q.size(2);
  auto split = [&](const torch::Tensor& x) { return x.view({batch, length, heads, width / heads}).transpose(1, 2); };
  auto scores = torch::matmul(split(q) * scale, split(k).transpose(-1, -2));
  if (mask.defined()) scores = scores + mask;
  return torch::matmul(torch::softmax(scores, -1), split(v)).transpose(1, 2).reshape({batch, length, width});
}

TEST(KernelsAttention, AgreesWithLibTorchWithAndWithoutAPaddingMask) {
  torch::manual_seed(0);
  const tpq::kernels::Attention attention;
  for (const auto& [batch, length, heads] : {std::tuple<int64_t, int64_t, int64_t>{1, 9, 2}, {3, 17, 4}, {2, 128, 12}, {3, 17, 4}}) {
    const auto q = torch::randn({batch, length, heads * 16});
    const auto k = torch::randn({batch, length, heads * 16});
    const auto v = torch::randn({batch, length, heads * 16});
    auto keep = torch::ones({batch, length});
    keep[0].narrow(0, length / 2, length - length / 2).zero_();  // the first sequence is half padding
    const auto mask = ((1.0 - keep) * std::numeric_limits<float>::lowest()).view({batch, 1, 1, length});
    for (const auto& m : {mask, torch::Tensor()}) {
      const auto expected = reference_attention(q, k, v, m, heads, 0.25);
      const auto output = attention.forward(q, k, v, m, heads, 0.25f);
      EXPECT_LE((output - expected).abs().max().item<double>(), 1e-5)
          << batch << "x" << length << ", " << heads << " heads, " << (m.defined() ? "masked" : "no mask");
    }
  }
}

TEST(KernelsAttention, EncoderLayerUsesItOnlyForInferenceAndGetsTheSameOutput) {
  torch::manual_seed(1);
  tpq::model::EncoderConfig config;
  config.hidden_size = 64;
  config.num_attention_heads = 4;  // head dim 16: sqrt is 4, an exact scale
  config.intermediate_size = 96;
  config.num_hidden_layers = 1;
  tpq::model::EncoderLayer layer(config, tpq::model::encoder_family("bert"), 0);
  {
    torch::NoGradGuard no_grad;
    for (auto& parameter : layer->parameters()) parameter.normal_(0, 0.2);  // Linear weights start uninitialised
  }
  layer->eval();
  const auto hidden = torch::randn({2, 11, 64});
  auto keep = torch::ones({2, 11});
  keep[1].narrow(0, 6, 5).zero_();
  const auto mask = tpq::model::additive_attention_mask(keep, torch::kFloat);
  const auto with_autograd = layer->forward(hidden, mask, {});
  torch::NoGradGuard no_grad;
  ASSERT_TRUE(layer->fused_attention_applies(torch::randn({2, 11, 64}), mask, {}));
  EXPECT_FALSE(layer->fused_attention_applies(torch::randn({2, 11, 64}), mask, torch::ones({4})));  // head masks: LibTorch
  layer->train();  // attention dropout drops: LibTorch
  EXPECT_FALSE(layer->fused_attention_applies(torch::randn({2, 11, 64}), mask, {}));
  layer->eval();
  EXPECT_LE((layer->forward(hidden, mask, {}) - with_autograd.detach()).abs().max().item<double>(), 1e-5);
}

}  // namespace
