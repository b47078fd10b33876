// QAT building blocks: fake-quant observers move only while training and stop when frozen,
// gradients reach the FP32 weights through the straight-through estimator, and conversion gives
// the real INT8 model the fake-quant model emulated.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/dead_linear.h"
#include "support/small_models.h"
#include "tpq/quant/engine.h"
#include "tpq/quant/fake_quant.h"

namespace {

using tpq::quant::FakeQuantLinear;

tpq::model::ModelInputs random_inputs(int64_t vocab) {
  return {torch::randint(5, vocab, {4, 12}, torch::kLong), torch::zeros({4, 12}, torch::kLong),
          torch::ones({4, 12}, torch::kLong)};
}

TEST(FakeQuant, ObserversMoveWhileTrainingAndStopWhenFrozen) {
  torch::manual_seed(0);
  tpq::model::EncoderClassifier model(tpq::testing::small_bert_config(50, 32, 1, 2, 64, 32));
  model->init_weights();
  const auto names = tpq::quant::prepare_qat(*model);
  ASSERT_FALSE(names.empty());
  model->train();
  model->forward(random_inputs(50));
  const auto kernels = tpq::quant::fake_quant_kernels(*model);
  ASSERT_EQ(kernels.size(), names.size());
  const auto* first = kernels.front().second;
  ASSERT_TRUE(first->input_range().initialised);
  const double max_before = first->input_range().max_value;

  tpq::quant::freeze_observers(*model);
  for (int i = 0; i < 3; ++i) model->forward(random_inputs(50));
  EXPECT_TRUE(first->observers_frozen());
  EXPECT_EQ(first->input_range().max_value, max_before);
}

TEST(FakeQuant, GradientsReachTheFp32WeightsThroughTheStraightThroughEstimator) {
  torch::manual_seed(1);
  tpq::model::EncoderClassifier model(tpq::testing::small_bert_config(50, 32, 1, 2, 64, 32));
  model->init_weights();
  tpq::quant::prepare_qat(*model);
  model->train();
  const auto logits = model->forward(random_inputs(50)).logits;
  torch::nn::functional::cross_entropy(logits, torch::tensor({0, 1, 0, 1})).backward();
  const auto& weight = model->layers[0]->ffn_in->weight;
  ASSERT_TRUE(weight.grad().defined());
  EXPECT_GT(weight.grad().abs().sum().item<double>(), 0.0);
}

// Weights large enough that every Linear moves the logits (HF's default 0.02 leaves them within
// 0.035 of zero, where all-zero logits would pass any sensible bound).
tpq::model::EncoderClassifier conversion_model() {
  torch::manual_seed(2);
  auto config = tpq::testing::small_bert_config(/*vocab_size=*/50, /*hidden_size=*/32, /*layers=*/1, /*heads=*/2,
                                                /*intermediate_size=*/64, /*max_positions=*/32);
  config.initializer_range = 0.2;
  tpq::model::EncoderClassifier model(config);
  model->init_weights();
  model->eval();
  return model;
}

// Real INT8 vs its fake-quant emulation, relative to the logits. Measured bit-identical (error < 1e-9)
// with onednn on this project's Xeon (AMX); 1e-3 leaves room for another engine's requantization
// rounding and stays 57x below what one dead Linear changes (0.23).
constexpr double kConversionBound = 1e-3;

class FakeQuantConversion : public ::testing::TestWithParam<int64_t> {};

TEST_P(FakeQuantConversion, ConvertedInt8ModelComputesWhatTheFakeQuantModelEmulated) {
  const int64_t weight_bits = GetParam();
  tpq::quant::select_engine("auto");
  torch::manual_seed(3);
  const auto calibration = random_inputs(50);
  const auto inputs = random_inputs(50);
  const auto logits = [](const tpq::model::ClassifierOutputs& outputs) { return outputs.logits; };
  ASSERT_GT(tpq::testing::smallest_dead_linear_change(conversion_model, inputs, logits), 4 * kConversionBound)
      << "a Linear that outputs nothing must fail the bound below";
  auto model = conversion_model();
  tpq::quant::prepare_qat(*model, {}, weight_bits);
  tpq::quant::calibrate_fake_quant(*model, {calibration});
  tpq::quant::freeze_observers(*model);
  model->eval();
  torch::NoGradGuard no_grad;
  const auto emulated = model->forward(inputs).logits;
  const auto info = tpq::quant::convert_qat(*model, "qat");
  EXPECT_EQ(info.method, "static_int8");
  const auto real = model->forward(inputs).logits;
  // Same scales and zero points; only rounding inside the int8 GEMM's requantization may differ.
  EXPECT_LT(tpq::testing::relative_error(real, emulated), kConversionBound);
  // The stored int8 values stay on the requested grid.
  const auto* kernel = dynamic_cast<const tpq::quant::StaticInt8Linear*>(model->layers[0]->ffn_in->kernel.get());
  ASSERT_NE(kernel, nullptr);
  EXPECT_EQ(kernel->weight().values.abs().max().item<int64_t>(), tpq::quant::weight_bits_max_level(weight_bits));
  EXPECT_EQ(info.details.contains("weight_bits"), weight_bits != 8);
}

INSTANTIATE_TEST_SUITE_P(WeightBits, FakeQuantConversion, ::testing::Values(8, 4));

}  // namespace
