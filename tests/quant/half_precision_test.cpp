// FP16/BF16 models: really 16 bits on disk (~half the FP32 file), reload to identical logits, and
// BF16 logits stay close to FP32.
#include <filesystem>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/fixtures.h"
#include "support/small_models.h"
#include "tpq/core/error.h"
#include "tpq/checkpoint/checkpoint.h"
#include "tpq/io/safetensors.h"
#include "tpq/model/model_state.h"
#include "tpq/quant/half_precision.h"

namespace {

namespace fs = std::filesystem;

tpq::model::EncoderClassifier random_model(uint64_t seed) {
  torch::manual_seed(seed);
  auto config = tpq::testing::small_bert_config(/*vocab_size=*/500, /*hidden_size=*/64, /*layers=*/2, /*heads=*/4,
                                                /*intermediate_size=*/128, /*max_positions=*/32);
  config.initializer_range = 0.2;  // larger weights than HF's 0.02, so logits are far from zero
  tpq::model::EncoderClassifier model(config);
  model->init_weights();
  model->eval();
  return model;
}

tpq::model::ModelInputs half_precision_inputs() {
  torch::manual_seed(7);
  return {torch::randint(1, 500, {4, 16}, torch::kLong), torch::zeros({4, 16}, torch::kLong), torch::ones({4, 16}, torch::kLong)};
}

class HalfPrecisionRoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(HalfPrecisionRoundTrip, SavesSixteenBitTensorsAtAboutHalfTheSizeAndReloadsExactly) {
  const std::string name = GetParam();
  const auto expected_dtype = name == "float16" ? tpq::io::DType::F16 : tpq::io::DType::BF16;
  tpq::testing::ScratchDir scratch;
  auto fp32 = random_model(1);
  tpq::checkpoint::save_checkpoint(scratch / "fp32", *fp32, nullptr);
  auto half = random_model(1);
  const auto info = tpq::quant::convert_to_half(*half, tpq::quant::half_dtype(name));
  EXPECT_EQ(info.modules.size(), 2u * 6 + 2);  // every Linear, pooler and classifier included
  tpq::checkpoint::save_checkpoint(scratch / "half", *half, nullptr);

  const auto file = tpq::io::SafetensorsFile::open(scratch / "half" / "model.safetensors");
  for (const auto& entry : file.header().tensors) EXPECT_EQ(entry.dtype, expected_dtype) << entry.name;
  const double ratio = static_cast<double>(fs::file_size(scratch / "half" / "model.safetensors")) /
                       static_cast<double>(fs::file_size(scratch / "fp32" / "model.safetensors"));
  EXPECT_GT(ratio, 0.49);
  EXPECT_LT(ratio, 0.52);
  EXPECT_EQ(tpq::testing::read_json_file(scratch / "half" / "config.json")["torch_dtype"], name);

  tpq::checkpoint::LoadOptions load;
  load.load_tokenizer = false;
  auto reloaded = tpq::checkpoint::load_checkpoint(scratch / "half", load);
  for (const auto& [module, linear] : tpq::model::named_linears(*reloaded.model)) {
    ASSERT_TRUE(linear->kernel) << module;
    EXPECT_NE(dynamic_cast<tpq::quant::HalfLinear*>(linear->kernel.get()), nullptr) << module;
  }
  torch::NoGradGuard no_grad;
  const auto inputs = half_precision_inputs();
  EXPECT_TRUE(torch::equal(half->forward(inputs).logits, reloaded.model->forward(inputs).logits));
}

INSTANTIATE_TEST_SUITE_P(Dtypes, HalfPrecisionRoundTrip, ::testing::Values("float16", "bfloat16"));

TEST(HalfPrecision, Bf16LogitsStayWithinFivePercentOfFp32) {
  auto fp32 = random_model(2);
  auto bf16 = random_model(2);
  tpq::quant::convert_to_half(*bf16, torch::kBFloat16);
  torch::NoGradGuard no_grad;
  const auto inputs = half_precision_inputs();
  const auto expected = fp32->forward(inputs).logits;
  const auto actual = bf16->forward(inputs).logits;
  ASSERT_EQ(actual.scalar_type(), torch::kFloat);
  const double scale = expected.abs().max().item<double>();
  const double error = (actual - expected).abs().max().item<double>();
  ASSERT_GT(scale, 0.1);
  // BF16 keeps 8 mantissa bits (relative rounding 2^-9 per value) and each Linear's input is
  // rounded too; through 14 Linears the logits move by ~2 % of their magnitude (measured 2.2 %).
  // 5 % catches a wrong conversion; > 0 shows the conversion is not a no-op.
  EXPECT_LT(error, 0.05 * scale) << "max |bf16 - fp32| = " << error << ", max |fp32| = " << scale;
  EXPECT_GT(error, 0.0);
}

TEST(HalfPrecision, Fp16LogitsStayWithinHalfAPercentOfFp32) {
  auto fp32 = random_model(3);
  auto fp16 = random_model(3);
  tpq::quant::convert_to_half(*fp16, torch::kHalf);
  torch::NoGradGuard no_grad;
  const auto inputs = half_precision_inputs();
  const auto expected = fp32->forward(inputs).logits;
  const double scale = expected.abs().max().item<double>();
  const double error = (fp16->forward(inputs).logits - expected).abs().max().item<double>();
  EXPECT_LT(error, 0.005 * scale) << "max |fp16 - fp32| = " << error << ", max |fp32| = " << scale;
}

TEST(HalfPrecision, UnknownDtypeIsAUserError) {
  EXPECT_THROW(tpq::quant::half_dtype("fp8"), tpq::UserError);
}

}  // namespace
