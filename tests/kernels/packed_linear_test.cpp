// Linears frozen for inference: weights packed once for oneDNN, the original released.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/small_models.h"
#include "tpq/model/encoder_classifier.h"
#include "tpq/model/model_state.h"
#include "tpq/model/packed_linear.h"

namespace {

using tpq::kernels::Activation;

TEST(KernelsPackedLinear, ComputesTheLinearForEveryRowCountAndGivesBackItsExactWeight) {
  torch::manual_seed(0);
  tpq::model::Linear linear(40, 24);
  torch::nn::init::normal_(linear->weight);
  const auto weight = linear->weight.detach().clone();
  const auto bias = linear->bias.detach().clone().normal_();
  {
    torch::NoGradGuard no_grad;
    linear->bias.copy_(bias);
  }
  const tpq::model::PackedLinear packed(*linear);
  for (int64_t rows : {1, 5, 128, 300}) {  // 128 is the packing shape; others reuse or repack its layout
    const auto input = torch::randn({rows, 40});
    const auto expected = torch::nn::functional::linear(input, weight, bias);
    EXPECT_LE((packed.forward(input) - expected).abs().max().item<double>(), 1e-4) << rows;
    EXPECT_LE((packed.forward_activated(input, Activation::Gelu) - torch::gelu(expected)).abs().max().item<double>(), 1e-4) << rows;
  }
  const auto exported = packed.export_tensors("layer");
  ASSERT_EQ(exported.size(), 2u);
  EXPECT_TRUE(torch::equal(exported[0].second, weight));  // unpacking is a copy, bit for bit
  EXPECT_TRUE(torch::equal(exported[1].second, bias));
}

TEST(KernelsPackedLinear, Bf16LinearsStayBf16) {
  torch::manual_seed(2);
  tpq::model::Linear linear(64, 32);
  torch::nn::init::normal_(linear->weight);
  linear->to(torch::kBFloat16);
  const tpq::model::PackedLinear packed(*linear);
  const auto input = torch::randn({7, 64}).to(torch::kBFloat16);
  const auto output = packed.forward(input);
  EXPECT_EQ(output.scalar_type(), torch::kBFloat16);
  const auto expected = torch::nn::functional::linear(input.to(torch::kFloat), linear->weight.to(torch::kFloat), linear->bias.to(torch::kFloat));
  EXPECT_LE((output.to(torch::kFloat) - expected).abs().max().item<double>(), 0.02 * expected.abs().max().item<double>());
  EXPECT_TRUE(torch::equal(packed.export_tensors("x")[0].second, linear->weight));
}

TEST(KernelsPackedLinear, APackedModelGivesTheSameLogitsAndSavesTheSameTensors) {
  torch::manual_seed(1);
  tpq::model::EncoderClassifier model(tpq::testing::small_bert_config(100, 32, 2, 4, 64, 40));
  model->eval();
  const tpq::model::ModelInputs inputs{torch::randint(1, 100, {3, 9}, torch::kLong), torch::zeros({3, 9}, torch::kLong),
                                       torch::ones({3, 9}, torch::kLong)};
  torch::NoGradGuard no_grad;
  for (const auto& [name, linear] : tpq::model::named_linears(*model)) linear->bias.normal_();  // HF starts them at 0
  const auto before = model->forward(inputs).logits;
  const auto saved_before = tpq::model::model_state_tensors(*model);
  const int64_t linears = static_cast<int64_t>(tpq::model::named_linears(*model).size());
  EXPECT_EQ(tpq::model::pack_linears_for_inference(*model), linears);
  EXPECT_EQ(tpq::model::pack_linears_for_inference(*model), 0);  // already packed
  for (const auto& [name, linear] : tpq::model::named_linears(*model)) EXPECT_EQ(linear->weight.numel(), 0) << name;
  EXPECT_LE((model->forward(inputs).logits - before).abs().max().item<double>(), 1e-5);
  std::map<std::string, torch::Tensor> saved_after;
  for (const auto& [name, tensor] : tpq::model::model_state_tensors(*model)) saved_after[name] = tensor;
  ASSERT_EQ(saved_after.size(), saved_before.size());
  for (const auto& [name, tensor] : saved_before) {
    ASSERT_TRUE(saved_after.count(name)) << name;
    EXPECT_TRUE(torch::equal(saved_after[name], tensor)) << name;
  }
}

}  // namespace
