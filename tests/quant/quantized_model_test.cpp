// Whole-model dynamic INT8: close to HF/torch.ao's INT8 on the fixture, smaller on disk, and a
// saved quantized checkpoint reloads into identical logits.
#include <filesystem>

#include <gtest/gtest.h>
#include "support/small_models.h"
#include <torch/torch.h>

#include "support/fixtures.h"
#include "support/reference.h"
#include "tpq/checkpoint/checkpoint.h"
#include "tpq/io/safetensors.h"
#include "tpq/quant/engine.h"
#include "tpq/quant/quantized_model.h"

namespace {

using tpq::testing::max_abs_difference;
using tpq::testing::tensor_from_json;

tpq::model::ModelInputs reference_inputs(const nlohmann::json& ref) {
  return {tensor_from_json(ref["input_ids"], torch::kLong), tensor_from_json(ref["token_type_ids"], torch::kLong),
          tensor_from_json(ref["attention_mask"], torch::kLong)};
}

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

TEST(QuantizedModel, SavedInt8CheckpointReloadsToIdenticalLogitsAndIsSmaller) {
  TPQ_REQUIRE_FIXTURE(dir, "tiny-bert-a");
  tpq::quant::select_engine("auto");
  const auto ref = tpq::testing::read_json_file(dir / "reference.json");
  auto checkpoint = tpq::checkpoint::load_checkpoint(dir);
  const auto info = tpq::quant::quantize_dynamic(*checkpoint.model, tpq::quant::Granularity::PerChannel);
  tpq::testing::ScratchDir scratch;
  tpq::checkpoint::save_checkpoint(scratch / "int8", *checkpoint.model, checkpoint.tokenizer.get());

  const auto file = tpq::io::SafetensorsFile::open(scratch / "int8" / "model.safetensors");
  const auto fp32_file = tpq::io::SafetensorsFile::open(dir / "model.safetensors");
  uint64_t int8_bytes = 0, fp32_bytes = 0;
  for (const auto& module : info.modules) {
    const auto& entry = file.entry(module + ".weight");
    EXPECT_EQ(entry.dtype, tpq::io::DType::I8) << module;
    int8_bytes += entry.end - entry.begin;
    const auto& original = fp32_file.entry(module + ".weight");
    fp32_bytes += original.end - original.begin;
  }
  EXPECT_EQ(fp32_bytes, 4 * int8_bytes);

  auto reloaded = tpq::checkpoint::load_checkpoint(scratch / "int8");
  torch::NoGradGuard no_grad;
  const auto inputs = reference_inputs(ref);
  EXPECT_TRUE(torch::equal(checkpoint.model->forward(inputs).logits, reloaded.model->forward(inputs).logits));
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
