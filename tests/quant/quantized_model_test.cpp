// Whole-model dynamic INT8 on the fixture: close to HF/torch.ao's INT8 logits, close to FP32 on
// the part of the [CLS] state that depends on the input, every selected Linear really INT8,
// three bytes a weight smaller on disk, and a saved quantized checkpoint reloads into identical logits.
#include <filesystem>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/dead_linear.h"
#include "support/fixtures.h"
#include "support/reference.h"
#include "support/small_models.h"
#include "tpq/checkpoint/checkpoint.h"
#include "tpq/io/safetensors.h"
#include "tpq/model/model_state.h"
#include "tpq/quant/engine.h"
#include "tpq/quant/quantized_model.h"

namespace {

namespace fs = std::filesystem;
using tpq::testing::max_abs_difference;
using tpq::testing::relative_error;
using tpq::testing::tensor_from_json;

// INT8's error on the input-dependent part of the [CLS] state (measured 0.0387 with onednn, per-channel
// and per-tensor alike); a model that ignores its input scores 1.
constexpr double kClsDeviationBound = 0.08;

using tpq::testing::centered;

// `count` Linears run dynamic INT8 kernels and hold no FP32 weight.
void expect_dynamic_int8_kernels(tpq::model::EncoderClassifierImpl& model, std::size_t count) {
  std::size_t found = 0;
  for (const auto& [name, linear] : tpq::model::named_linears(model)) {
    if (dynamic_cast<const tpq::quant::DynamicInt8Linear*>(linear->kernel.get()) == nullptr) continue;
    ++found;
    EXPECT_EQ(linear->weight.numel(), 0) << name;
  }
  EXPECT_EQ(found, count);
}

using tpq::testing::reference_inputs;

TEST(QuantizedModel, DynamicInt8IsCloseToTorchAoOnTheFixture) {
  TPQ_REQUIRE_FIXTURE(dir, "tiny-bert-a");
  tpq::quant::select_engine("auto");
  const auto ref = tpq::testing::read_json_file(dir / "reference.json");
  auto checkpoint = tpq::checkpoint::load_checkpoint(dir);
  // torch.ao.quantize_dynamic converts every nn.Linear with per-tensor weights: do the same.
  tpq::quant::LinearSelection everything;
  everything.include_pooler_and_classifier = true;
  const auto info = tpq::quant::quantize_dynamic(*checkpoint.model, tpq::quant::Granularity::PerTensor, everything);
  EXPECT_EQ(info.modules.size(), 2u * 6 + 2);
  torch::NoGradGuard no_grad;
  const auto logits = checkpoint.model->forward(reference_inputs(ref)).logits;
  const auto fp32 = tensor_from_json(ref["logits"], torch::kFloat);
  const auto hf_int8 = tensor_from_json(ref["dynamic_int8_logits"], torch::kFloat);
  const double hf_error = max_abs_difference(hf_int8, fp32);
  const double our_error = max_abs_difference(logits, fp32);
  // Same order of error as the reference INT8 (different engines round differently).
  EXPECT_LT(our_error, 3 * hf_error + 1e-4) << "tpq " << our_error << " vs HF " << hf_error;
  EXPECT_LT(max_abs_difference(logits, hf_int8), 3 * hf_error + 1e-4);
}

// The fixture's logits barely depend on the input (they vary by 3e-3 across sentences, less than
// INT8's own error), so they cannot tell a working model from a constant one. The [CLS] state's
// deviation from its mean over the sentences can: only attention carries the other tokens into
// it, so a model whose Linears output nothing (or only their bias) has none of it (error 1).
TEST(QuantizedModel, DynamicInt8KeepsTheInputDependentPartOfTheClsState) {
  TPQ_REQUIRE_FIXTURE(dir, "tiny-bert-a");
  tpq::quant::select_engine("auto");
  const auto ref = tpq::testing::read_json_file(dir / "reference.json");
  auto checkpoint = tpq::checkpoint::load_checkpoint(dir);
  tpq::quant::LinearSelection everything;
  everything.include_pooler_and_classifier = true;
  const auto info = tpq::quant::quantize_dynamic(*checkpoint.model, tpq::quant::Granularity::PerTensor, everything);
  EXPECT_EQ(info.modules.size(), 2u * 6 + 2);
  expect_dynamic_int8_kernels(*checkpoint.model, 2 * 6 + 2);
  torch::NoGradGuard no_grad;
  const auto cls = checkpoint.model->forward(reference_inputs(ref)).last_hidden_state.select(1, 0);
  const double error = relative_error(centered(cls), centered(tensor_from_json(ref["last_hidden_state_cls"], torch::kFloat)));
  EXPECT_LT(error, kClsDeviationBound);
  EXPECT_GT(error, 0.0) << "quantization changed nothing";
}

TEST(QuantizedModel, SavedInt8CheckpointReloadsToIdenticalLogitsAndIsSmaller) {
  TPQ_REQUIRE_FIXTURE(dir, "tiny-bert-a");
  tpq::quant::select_engine("auto");
  const auto ref = tpq::testing::read_json_file(dir / "reference.json");
  auto checkpoint = tpq::checkpoint::load_checkpoint(dir);
  const auto info = tpq::quant::quantize_dynamic(*checkpoint.model, tpq::quant::Granularity::PerChannel);
  ASSERT_EQ(info.modules.size(), 2u * 6);  // the encoder's Linears; pooler and classifier stay FP32
  tpq::testing::ScratchDir scratch;
  tpq::checkpoint::save_checkpoint(scratch / "int8", *checkpoint.model, checkpoint.tokenizer.get());

  const auto file = tpq::io::SafetensorsFile::open(scratch / "int8" / "model.safetensors");
  const auto fp32_file = tpq::io::SafetensorsFile::open(dir / "model.safetensors");
  uint64_t int8_bytes = 0, fp32_bytes = 0, scale_bytes = 0;
  for (const auto& module : info.modules) {
    const auto& entry = file.entry(module + ".weight");
    EXPECT_EQ(entry.dtype, tpq::io::DType::I8) << module;
    int8_bytes += entry.end - entry.begin;
    scale_bytes += file.entry(module + ".weight_scale").end - file.entry(module + ".weight_scale").begin;
    const auto& original = fp32_file.entry(module + ".weight");
    fp32_bytes += original.end - original.begin;
  }
  EXPECT_EQ(fp32_bytes, 4 * int8_bytes);
  // The file shrinks by three bytes per weight, less the scales (the header changes by < 4 KiB).
  const auto saved = static_cast<double>(fs::file_size(dir / "model.safetensors")) -
                     static_cast<double>(fs::file_size(scratch / "int8" / "model.safetensors"));
  EXPECT_NEAR(saved, 3.0 * static_cast<double>(int8_bytes) - static_cast<double>(scale_bytes), 4096.0);

  auto reloaded = tpq::checkpoint::load_checkpoint(scratch / "int8");
  expect_dynamic_int8_kernels(*reloaded.model, 2 * 6);
  torch::NoGradGuard no_grad;
  const auto inputs = reference_inputs(ref);
  const auto int8 = checkpoint.model->forward(inputs);
  EXPECT_TRUE(torch::equal(int8.logits, reloaded.model->forward(inputs).logits));
  const auto expected_cls = tensor_from_json(ref["last_hidden_state_cls"], torch::kFloat);
  const double error = relative_error(centered(int8.last_hidden_state.select(1, 0)), centered(expected_cls));
  EXPECT_LT(error, kClsDeviationBound);
  EXPECT_GT(error, 0.0) << "quantization changed nothing";
}

TEST(QuantizedModel, KeepFp32LeavesNamedModulesAlone) {
  tpq::model::EncoderClassifier model(tpq::testing::small_bert_config(50, 16, 2, 2, 32, 16));
  tpq::quant::select_engine("auto");
  tpq::quant::LinearSelection selection;
  selection.keep_fp32 = {"bert.encoder.layer.1.output.dense"};
  const auto info = tpq::quant::quantize_dynamic(*model, tpq::quant::Granularity::PerChannel, selection);
  EXPECT_EQ(info.modules.size(), 11u);
  EXPECT_FALSE(model->layers[1]->ffn_out->kernel);
  EXPECT_TRUE(model->layers[0]->ffn_out->kernel);
  EXPECT_EQ(model->layers[0]->ffn_out->weight.numel(), 0);  // FP32 copy released
}

}  // namespace
