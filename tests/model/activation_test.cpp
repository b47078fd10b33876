// The FFN activation is HF's for each hidden_act: "gelu" is the exact erf form, "gelu_new" and
// "gelu_pytorch_tanh" the tanh approximation, "relu" relu. The fixtures' small weights keep the
// FFN inputs near 0, where the two GELU forms agree to 1e-6 and conformance tests cannot tell
// them apart; here the inputs span [-4, 4], where they differ by up to ~3e-4.
#include <cmath>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/small_models.h"
#include "tpq/model/bert.h"

namespace {

constexpr int64_t kWidth = 8;

// The FFN's first half with an identity dense layer: its output is the activation of its input.
torch::Tensor activation_of(const std::string& hidden_act, const torch::Tensor& x) {
  auto config = tpq::testing::small_bert_config(/*vocab_size=*/10, /*hidden_size=*/kWidth, /*layers=*/1, /*heads=*/1,
                                                /*intermediate_size=*/kWidth, /*max_positions=*/8);
  config.hidden_act = hidden_act;
  tpq::model::BertIntermediate intermediate(config, kWidth);
  torch::NoGradGuard no_grad;
  intermediate->dense->weight.copy_(torch::eye(kWidth));
  intermediate->dense->bias.zero_();
  return intermediate->forward(x).to(torch::kDouble);
}

torch::Tensor inputs() { return torch::linspace(-4.0, 4.0, 16 * kWidth).reshape({1, 16, kWidth}); }

torch::Tensor erf_gelu(const torch::Tensor& x) {
  const auto v = x.to(torch::kDouble);
  return 0.5 * v * (1.0 + torch::erf(v / std::sqrt(2.0)));
}

torch::Tensor tanh_gelu(const torch::Tensor& x) {
  const auto v = x.to(torch::kDouble);
  return 0.5 * v * (1.0 + torch::tanh(std::sqrt(2.0 / M_PI) * (v + 0.044715 * v.pow(3))));
}

double max_abs(const torch::Tensor& t) { return t.abs().max().item<double>(); }

TEST(Activation, GeluIsTheExactErfFormAndItsTanhVariantsTheApproximation) {
  const auto x = inputs();
  ASSERT_GT(max_abs(erf_gelu(x) - tanh_gelu(x)), 1e-4) << "the inputs must separate the two forms";
  EXPECT_LT(max_abs(activation_of("gelu", x) - erf_gelu(x)), 1e-6);
  for (const char* tanh_form : {"gelu_new", "gelu_pytorch_tanh"}) {
    EXPECT_LT(max_abs(activation_of(tanh_form, x) - tanh_gelu(x)), 1e-6) << tanh_form;
  }
  EXPECT_LT(max_abs(activation_of("relu", x) - torch::relu(x).to(torch::kDouble)), 1e-7);
}

}  // namespace
