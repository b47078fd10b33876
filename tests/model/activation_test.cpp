// The FFN activation is HF's for each hidden_act: "gelu" is the exact erf form, "gelu_new" and
// "gelu_pytorch_tanh" the tanh approximation, "relu" relu. The fixtures' small weights keep the
// FFN inputs near 0, where the two GELU forms agree to 1e-6 and conformance tests cannot tell
// them apart; here the FFN sees LayerNorm outputs up to 2.6, where they differ by ~1e-4.
#include <cmath>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/small_models.h"
#include "tpq/model/encoder_classifier.h"

namespace {

constexpr int64_t kWidth = 8;
constexpr double kLayerNormEps = 1e-12;

torch::Tensor layer_norm(const torch::Tensor& x) { return torch::layer_norm(x, {kWidth}, {}, {}, kLayerNormEps); }

torch::Tensor erf_gelu(const torch::Tensor& x) { return 0.5 * x * (1.0 + torch::erf(x / std::sqrt(2.0))); }

torch::Tensor tanh_gelu(const torch::Tensor& x) {
  return 0.5 * x * (1.0 + torch::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x.pow(3))));
}

// (1, 16, kWidth) hidden states whose LayerNorm spans about [-2.6, 2.6].
torch::Tensor hidden_states() {
  torch::manual_seed(4);
  auto hidden = torch::randn({1, 16, kWidth});
  hidden.select(2, 0).mul_(8.0);  // one large feature per token pushes the normalised values outwards
  return hidden;
}

// One encoder layer whose attention adds nothing and whose FFN matrices are identities:
// out = LayerNorm(act(a) + a) with a = LayerNorm(hidden), so the output shows the activation.
torch::Tensor layer_output(const std::string& hidden_act, const torch::Tensor& hidden) {
  auto config = tpq::testing::small_bert_config(/*vocab_size=*/10, /*hidden_size=*/kWidth, /*layers=*/1, /*heads=*/1,
                                                /*intermediate_size=*/kWidth, /*max_positions=*/16);
  config.hidden_act = hidden_act;
  config.layer_norm_eps = kLayerNormEps;
  tpq::model::EncoderClassifier model(config);
  model->init_weights();
  model->eval();
  auto& layer = model->layers[0];
  torch::NoGradGuard no_grad;
  for (auto* linear : {&layer->query, &layer->key, &layer->value, &layer->attention_output}) {
    (*linear)->weight.zero_();
    (*linear)->bias.zero_();
  }
  for (auto* linear : {&layer->ffn_in, &layer->ffn_out}) {
    (*linear)->weight.copy_(torch::eye(kWidth));
    (*linear)->bias.zero_();
  }
  const auto no_padding = torch::zeros({1, 1, 1, hidden.size(1)});
  return layer->forward(hidden, no_padding, torch::Tensor()).to(torch::kDouble);
}

torch::Tensor expected_output(const std::function<torch::Tensor(const torch::Tensor&)>& act, const torch::Tensor& hidden) {
  const auto a = layer_norm(hidden.to(torch::kDouble));
  return layer_norm(act(a) + a);
}

double max_abs(const torch::Tensor& t) { return t.abs().max().item<double>(); }

TEST(Activation, GeluIsTheExactErfFormAndItsTanhVariantsTheApproximation) {
  const auto hidden = hidden_states();
  const auto erf_form = expected_output(erf_gelu, hidden);
  const auto tanh_form = expected_output(tanh_gelu, hidden);
  ASSERT_GT(max_abs(layer_norm(hidden.to(torch::kDouble))), 2.0);
  ASSERT_GT(max_abs(erf_form - tanh_form), 3e-5) << "the inputs must separate the two GELU forms";
  EXPECT_LT(max_abs(layer_output("gelu", hidden) - erf_form), 3e-6);
  for (const char* tanh_variant : {"gelu_new", "gelu_pytorch_tanh"}) {
    EXPECT_LT(max_abs(layer_output(tanh_variant, hidden) - tanh_form), 3e-6) << tanh_variant;
  }
  const auto relu = [](const torch::Tensor& x) { return torch::relu(x); };
  EXPECT_LT(max_abs(layer_output("relu", hidden) - expected_output(relu, hidden)), 3e-6);
}

}  // namespace
