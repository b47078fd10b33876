// Static INT8: calibration records every selected Linear and leaves the model alone, the
// quantized model stays close to FP32, 0 calibration samples is a user error, and a saved static
// checkpoint reloads into identical logits.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/dead_linear.h"
#include "support/fixtures.h"
#include "support/small_models.h"
#include "support/user_error_matchers.h"
#include "tpq/checkpoint/checkpoint.h"
#include "tpq/io/safetensors.h"
#include "tpq/quant/engine.h"
#include "tpq/quant/static_quantization.h"

namespace {
// Static INT8's relative error on the last hidden state of unseen inputs: measured 0.0203-0.0221
// over the 4 observers x 2 granularities (onednn); the smallest dead-Linear change is 0.120, so
// the bound must stay under 0.030 for the dead-Linear check below to hold.
constexpr double kStaticInt8Bound = 0.028;

using tpq::quant::Granularity;
using tpq::testing::relative_error;

// HF's default 0.02 makes each Linear ~1 % of the output, so a dead INT8 Linear would pass a
// few-percent bound; with 0.2 every Linear moves the output far more than INT8's error.
constexpr double kInitializerRange = 0.2;

tpq::model::EncoderClassifier strongly_initialised_model() {
  torch::manual_seed(0);
  auto config = tpq::testing::small_bert_config(/*vocab_size=*/100, /*hidden_size=*/32, /*layers=*/2, /*heads=*/2,
                                                /*intermediate_size=*/64, /*max_positions=*/32);
  config.initializer_range = kInitializerRange;
  tpq::model::EncoderClassifier model(config);
  model->init_weights();
  model->eval();
  return model;
}

tpq::model::ModelInputs random_batch(int64_t batch, int64_t length, uint64_t seed) {
  torch::manual_seed(seed);
  return {torch::randint(1, 100, {batch, length}, torch::kLong), torch::zeros({batch, length}, torch::kLong),
          torch::ones({batch, length}, torch::kLong)};
}


class StaticQuantization : public ::testing::Test {
 protected:
  void SetUp() override { tpq::quant::select_engine("auto"); }
};

TEST_F(StaticQuantization, CalibrationObservesEverySelectedLinearAndChangesNothing) {
  auto model = strongly_initialised_model();
  torch::NoGradGuard no_grad;
  const auto inputs = random_batch(4, 16, 1);
  const auto before = model->forward(inputs).logits;
  const auto calibration = tpq::quant::calibrate(*model, {inputs, random_batch(3, 9, 2)}, "minmax");
  EXPECT_EQ(calibration.samples, 7);
  EXPECT_EQ(calibration.ranges.size(), 2u * 6);  // Q, K, V, attention out, FFN in, FFN out per layer
  for (const auto& [name, ranges] : calibration.ranges) {
    EXPECT_LT(ranges.input.min, ranges.input.max) << name;
    EXPECT_LT(ranges.output.min, ranges.output.max) << name;
  }
  // FFN input is GELU output: never below GELU's minimum (about -0.17).
  EXPECT_GT(calibration.ranges.at("bert.encoder.layer.0.output.dense").input.min, -0.18);
  for (const auto& item : model->named_modules()) {
    if (auto* linear = item.value()->as<tpq::model::LinearImpl>()) {
      EXPECT_FALSE(linear->kernel) << item.key();
      EXPECT_GT(linear->weight.numel(), 0) << item.key();
    }
  }
  EXPECT_TRUE(torch::equal(model->forward(inputs).logits, before));
}

TEST_F(StaticQuantization, Int8ModelStaysCloseToFp32OnUnseenInputs) {
  auto reference = strongly_initialised_model();
  torch::NoGradGuard no_grad;
  std::vector<tpq::model::ModelInputs> calibration_batches;
  for (uint64_t seed = 10; seed < 14; ++seed) calibration_batches.push_back(random_batch(8, 24, seed));
  const auto test = random_batch(8, 24, 99);  // not seen during calibration
  const auto fp32 = reference->forward(test).last_hidden_state;
  const auto hidden_state = [](const tpq::model::ClassifierOutputs& outputs) { return outputs.last_hidden_state; };
  const double signal = tpq::testing::smallest_dead_linear_change(strongly_initialised_model, test, hidden_state);
  ASSERT_GT(signal, 4 * kStaticInt8Bound) << "a Linear that outputs nothing must fail the bound below";
  for (const auto& observer : tpq::quant::observer_names()) {
    for (auto granularity : {Granularity::PerTensor, Granularity::PerChannel}) {
      auto model = strongly_initialised_model();
      const auto calibration = tpq::quant::calibrate(*model, calibration_batches, observer);
      const auto info = tpq::quant::quantize_static(*model, calibration, granularity);
      EXPECT_EQ(info.method, "static_int8");
      EXPECT_EQ(info.details["observer"], observer);
      EXPECT_EQ(info.details["calibration_samples"], 32);
      EXPECT_EQ(info.modules.size(), 12u);
      EXPECT_TRUE(model->layers[1]->ffn_in->kernel);
      EXPECT_FALSE(model->classifier->kernel);
      const auto int8 = model->forward(test).last_hidden_state;
      const double error = relative_error(int8, fp32);
      // INT8 weights and activations through two layers: a few percent, far below a dead Linear.
      EXPECT_LT(error, kStaticInt8Bound) << observer << " " << tpq::quant::to_string(granularity);
      EXPECT_GT(error, 0.0) << "the INT8 kernels did not run";
    }
  }
}

TEST_F(StaticQuantization, ZeroCalibrationSamplesNamesTheFlag) {
  auto model = strongly_initialised_model();
  const auto message = tpq::testing::user_error_of([&] { tpq::quant::calibrate(*model, {}, "minmax"); });
  EXPECT_TRUE(tpq::testing::contains(message, "--calibration_samples"));
  const auto unknown = tpq::testing::user_error_of([&] { tpq::quant::calibrate(*model, {random_batch(1, 4, 0)}, "kl"); });
  EXPECT_TRUE(tpq::testing::contains(unknown, "minmax"));
}

TEST_F(StaticQuantization, SavedStaticCheckpointReloadsToIdenticalLogits) {
  TPQ_REQUIRE_FIXTURE(dir, "tiny-bert-a");
  auto checkpoint = tpq::checkpoint::load_checkpoint(dir);
  checkpoint.model->eval();
  torch::NoGradGuard no_grad;
  const auto calibration = tpq::quant::calibrate(*checkpoint.model, {random_batch(4, 20, 5)}, "histogram");
  const auto info = tpq::quant::quantize_static(*checkpoint.model, calibration, Granularity::PerChannel);
  tpq::testing::ScratchDir scratch;
  tpq::checkpoint::save_checkpoint(scratch / "static", *checkpoint.model, checkpoint.tokenizer.get());

  const auto file = tpq::io::SafetensorsFile::open(scratch / "static" / "model.safetensors");
  for (const auto& module : info.modules) {
    EXPECT_EQ(file.entry(module + ".weight").dtype, tpq::io::DType::I8) << module;
    EXPECT_TRUE(file.contains(module + ".input_scale")) << module;
    EXPECT_TRUE(file.contains(module + ".output_zero_point")) << module;
  }
  auto reloaded = tpq::checkpoint::load_checkpoint(scratch / "static");
  reloaded.model->eval();
  ASSERT_TRUE(reloaded.model->layers[0]->query->kernel);
  EXPECT_NE(reloaded.model->layers[0]->query->kernel->describe().find("static"),
            std::string::npos);
  const auto inputs = random_batch(3, 12, 6);
  EXPECT_TRUE(torch::equal(checkpoint.model->forward(inputs).logits, reloaded.model->forward(inputs).logits));
}

}  // namespace
