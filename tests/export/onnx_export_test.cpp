// `tpq export --format onnx` checked by a runtime no one here wrote: ONNX Runtime (onnxruntime-node
// from npm, installed by scripts/setup.sh) runs each exported fixture on the HF reference inputs
// (padded batches) and must give tpq's logits: dense BERT, DistilBERT, RoBERTa, a head/FFN-pruned
// BERT with smaller shapes, and an unstructured-sparse one. Bad requests fail with one line and no file.
#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/fixtures.h"
#include "support/reference.h"
#include "test_paths.h"
#include "tpq/checkpoint/checkpoint.h"
#include "tpq/io/atomic_file.h"
#include "tpq/quant/engine.h"
#include "tpq/quant/half_precision.h"
#include "tpq/quant/quantized_model.h"
#include "tpq/quant/static_quantization.h"

namespace {

namespace fs = std::filesystem;
using tpq::testing::run_command;

fs::path ort_runner() { return fs::path(TPQ_TEST_SOURCE_DIR) / "tools" / "onnxruntime" / "run_onnx.js"; }

bool ort_installed() {
  return fs::exists(fs::path(TPQ_TEST_SOURCE_DIR) / "tools" / "onnxruntime" / "node_modules" / "onnxruntime-node" / "package.json") &&
         run_command("node --version").exit_code == 0;
}

class OnnxExport : public ::testing::Test {
 protected:
  void SetUp() override {
    TPQ_SKIP_UNLESS(ort_installed(), "ONNX Runtime for Node is not installed (scripts/setup.sh installs it into tools/onnxruntime)");
  }

  // Exports `model_dir` with the CLI; the exit status and output are returned for the caller to check.
  tpq::testing::CommandResult export_model(const fs::path& model_dir, const fs::path& onnx, const std::string& flags = "") {
    return run_command(tpq::testing::cli_path() + " export --model " + model_dir.string() + " --format onnx --output " +
                       onnx.string() + flags);
  }

  // ONNX Runtime's logits for the reference's padded batch.
  torch::Tensor ort_logits(const fs::path& onnx, const nlohmann::json& ref) {
    nlohmann::json inputs = {{"input_ids", ref["input_ids"]}, {"attention_mask", ref["attention_mask"]}};
    if (ref.contains("token_type_ids")) inputs["token_type_ids"] = ref["token_type_ids"];
    const auto inputs_file = scratch / "inputs.json";
    tpq::io::write_json_atomic(inputs_file, inputs);
    const auto run = run_command("node " + ort_runner().string() + " " + onnx.string() + " " + inputs_file.string() + " 2>&1");
    EXPECT_EQ(run.exit_code, 0) << run.output;
    return tpq::testing::tensor_from_json(nlohmann::json::parse(run.output)["logits"], torch::kFloat);
  }

  // tpq's own logits for the same batch.
  static torch::Tensor tpq_logits(const fs::path& model_dir, const nlohmann::json& ref) {
    tpq::checkpoint::LoadOptions options;
    options.load_tokenizer = false;
    auto checkpoint = tpq::checkpoint::load_checkpoint(model_dir, options);
    checkpoint.model->eval();
    torch::NoGradGuard no_grad;
    return checkpoint.model->forward(tpq::testing::reference_inputs(ref)).logits;
  }

  // Exports, runs ORT, compares with tpq: logits within 1e-4 and the same predicted labels.
  void expect_ort_matches_tpq(const fs::path& model_dir, const nlohmann::json& ref, const std::string& kind) {
    const auto onnx = scratch / ("onnx-" + model_dir.filename().string()) / "model.onnx";
    const auto exported = export_model(model_dir, onnx);
    ASSERT_EQ(exported.exit_code, 0) << exported.output;
    EXPECT_NE(exported.output.find(kind + " model"), std::string::npos) << exported.output;
    const auto expected = tpq_logits(model_dir, ref);
    const auto actual = ort_logits(onnx, ref);
    ASSERT_EQ(actual.sizes(), expected.sizes());
    EXPECT_LT(tpq::testing::max_abs_difference(actual, expected), 1e-4) << model_dir;
    EXPECT_TRUE(torch::equal(actual.argmax(-1), expected.argmax(-1))) << model_dir;
    EXPECT_TRUE(fs::exists(onnx.parent_path() / "config.json"));
  }

  tpq::testing::ScratchDir scratch;
};

TEST_F(OnnxExport, OnnxRuntimeGivesTpqsLogitsForEveryFamily) {
  for (const char* name : {"tiny-bert-a", "tiny-distilbert-a", "tiny-roberta-a"}) {
    TPQ_REQUIRE_FIXTURE(dir, name);
    SCOPED_TRACE(name);
    expect_ort_matches_tpq(dir, tpq::testing::read_json_file(dir / "reference.json"), "dense");
  }
  // The inputs HF's ONNX exports take: token_type_ids only where the family has token types.
  EXPECT_TRUE(fs::exists(scratch / "onnx-tiny-roberta-a" / "merges.txt"));
  const auto roberta = run_command("node -e \"const ort=require('" + (ort_runner().parent_path() / "node_modules" / "onnxruntime-node").string() +
                                   "');ort.InferenceSession.create('" + (scratch / "onnx-tiny-roberta-a" / "model.onnx").string() +
                                   "').then(s=>console.log(s.inputNames.join(',')))\"");
  EXPECT_EQ(roberta.output, "input_ids,attention_mask\n");
}

TEST_F(OnnxExport, PrunedModelsExportTheirSmallerShapesAndSparseOnesTheirZeros) {
  TPQ_REQUIRE_FIXTURE(pruned, "tiny-bert-a-pruned");
  expect_ort_matches_tpq(pruned, tpq::testing::read_json_file(pruned / "reference.json"), "pruned");

  // Unstructured: half of every encoder weight set to zero, saved, exported densely with its zeros.
  TPQ_REQUIRE_FIXTURE(dense, "tiny-bert-a");
  auto checkpoint = tpq::checkpoint::load_checkpoint(dense);
  {
    torch::NoGradGuard no_grad;
    for (auto& layer : checkpoint.model->layers) {
      for (auto* linear : {&layer->query, &layer->key, &layer->value, &layer->attention_output, &layer->ffn_in, &layer->ffn_out}) {
        auto& weight = (*linear)->weight;
        weight.mul_(weight.abs() > weight.abs().median());
      }
    }
  }
  const auto sparse = scratch / "sparse-model";
  tpq::checkpoint::save_checkpoint(sparse, *checkpoint.model, checkpoint.tokenizer.get());
  expect_ort_matches_tpq(sparse, tpq::testing::read_json_file(dense / "reference.json"), "sparse");
}

// Dynamic INT8 as DynamicQuantizeLinear + MatMulInteger: ONNX Runtime's INT8 logits are as close to
// tpq's as tpq's are to HF's own INT8 (the fixture test's tolerance), with the same labels; per
// tensor over every Linear (what HF's quantize_dynamic does) and per channel over the encoder (02's default).
TEST_F(OnnxExport, DynamicInt8RunsInOnnxRuntimeWithinTpqsDistanceToHfsInt8) {
  TPQ_REQUIRE_FIXTURE(dense, "tiny-bert-a");
  tpq::quant::select_engine("auto");
  const auto ref = tpq::testing::read_json_file(dense / "reference.json");
  const double hf_error = tpq::testing::max_abs_difference(tpq::testing::tensor_from_json(ref["dynamic_int8_logits"], torch::kFloat),
                                                           tpq::testing::tensor_from_json(ref["logits"], torch::kFloat));
  for (const auto granularity : {tpq::quant::Granularity::PerTensor, tpq::quant::Granularity::PerChannel}) {
    const std::string name = tpq::quant::to_string(granularity);
    SCOPED_TRACE(name);
    auto checkpoint = tpq::checkpoint::load_checkpoint(dense);
    tpq::quant::LinearSelection selection;
    selection.include_pooler_and_classifier = granularity == tpq::quant::Granularity::PerTensor;
    tpq::quant::quantize_dynamic(*checkpoint.model, granularity, selection);
    const auto int8 = scratch / ("int8-" + name);
    tpq::checkpoint::save_checkpoint(int8, *checkpoint.model, checkpoint.tokenizer.get());
    const auto onnx = scratch / ("onnx-" + name) / "model.onnx";
    const auto exported = export_model(int8, onnx);
    ASSERT_EQ(exported.exit_code, 0) << exported.output;
    EXPECT_NE(exported.output.find("dense int8_dynamic model"), std::string::npos) << exported.output;
    const auto expected = tpq_logits(int8, ref);
    const auto actual = ort_logits(onnx, ref);
    EXPECT_LT(tpq::testing::max_abs_difference(actual, expected), 3 * hf_error + 1e-4) << "HF's INT8 error " << hf_error;
    EXPECT_TRUE(torch::equal(actual.argmax(-1), expected.argmax(-1)));
  }
}

// Static INT8 as QDQ with the calibrated scales (03's models; QAT's convert to the same kernels):
// ONNX Runtime's logits stay far closer to tpq's than tpq's INT8 is to its own FP32, same labels.
TEST_F(OnnxExport, StaticInt8RunsAsQdqWithTheCalibratedScales) {
  TPQ_REQUIRE_FIXTURE(dense, "tiny-bert-a");
  tpq::quant::select_engine("auto");
  const auto ref = tpq::testing::read_json_file(dense / "reference.json");
  auto checkpoint = tpq::checkpoint::load_checkpoint(dense);
  const auto fp32 = tpq_logits(dense, ref);
  const auto calibration = tpq::quant::calibrate(*checkpoint.model, {tpq::testing::reference_inputs(ref)}, "minmax");
  tpq::quant::quantize_static(*checkpoint.model, calibration, tpq::quant::Granularity::PerChannel);
  const auto int8 = scratch / "int8-static";
  tpq::checkpoint::save_checkpoint(int8, *checkpoint.model, checkpoint.tokenizer.get());
  const auto onnx = scratch / "onnx-static" / "model.onnx";
  const auto exported = export_model(int8, onnx);
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  EXPECT_NE(exported.output.find("dense int8_static model"), std::string::npos) << exported.output;
  const auto expected = tpq_logits(int8, ref);
  const auto actual = ort_logits(onnx, ref);
  const double int8_error = tpq::testing::max_abs_difference(expected, fp32);
  ASSERT_GT(int8_error, 1e-4) << "static INT8 changed nothing: the comparison below would guard nothing";
  EXPECT_LT(tpq::testing::max_abs_difference(actual, expected), 0.25 * int8_error) << "tpq's INT8 error " << int8_error;
  EXPECT_TRUE(torch::equal(actual.argmax(-1), expected.argmax(-1)));
}

// FP16 (05's float16): every float weight stored as FP16 and read through a Cast, FP32 arithmetic,
// as tpq computes on a CPU without FP16 GEMMs: ORT gives tpq's FP16 logits, from half the bytes.
TEST_F(OnnxExport, Fp16ModelsKeepTheirHalfWeightsAndTpqsLogits) {
  TPQ_REQUIRE_FIXTURE(dense, "tiny-bert-a");
  const auto ref = tpq::testing::read_json_file(dense / "reference.json");
  auto checkpoint = tpq::checkpoint::load_checkpoint(dense);
  tpq::quant::convert_to_half(*checkpoint.model, torch::kHalf);
  const auto fp16 = scratch / "fp16-model";
  tpq::checkpoint::save_checkpoint(fp16, *checkpoint.model, checkpoint.tokenizer.get());
  expect_ort_matches_tpq(fp16, ref, "dense fp16");
  const auto fp32 = scratch / "fp32-onnx" / "model.onnx";
  ASSERT_EQ(export_model(dense, fp32).exit_code, 0);
  const double ratio = static_cast<double>(fs::file_size(scratch / "onnx-fp16-model" / "model.onnx")) / fs::file_size(fp32);
  EXPECT_GT(ratio, 0.45);
  EXPECT_LT(ratio, 0.55);
}

TEST_F(OnnxExport, BadRequestsFailWithOneLineAndWriteNoFile) {
  TPQ_REQUIRE_FIXTURE(dense, "tiny-bert-a");
  const auto onnx = scratch / "out" / "model.onnx";
  const auto old_opset = export_model(dense, onnx, " --opset 13");
  EXPECT_EQ(old_opset.exit_code, 2) << old_opset.output;
  EXPECT_NE(old_opset.output.find("--opset 13: tpq's ONNX graphs use LayerNormalization"), std::string::npos) << old_opset.output;
  const auto format = run_command(tpq::testing::cli_path() + " export --model " + dense.string() + " --format tflite --output " + onnx.string());
  EXPECT_EQ(format.exit_code, 2) << format.output;
  EXPECT_NE(format.output.find("--format tflite: unknown format"), std::string::npos) << format.output;

  const auto unwritable = export_model(dense, "/proc/tpq-no-such-dir/model.onnx");
  EXPECT_EQ(unwritable.exit_code, 2) << unwritable.output;
  EXPECT_NE(unwritable.output.find("cannot create the directory /proc/tpq-no-such-dir"), std::string::npos) << unwritable.output;

  // A kernel the exporter does not cover (05's BF16, whose GEMMs run in BF16): named, refused, nothing written.
  auto checkpoint = tpq::checkpoint::load_checkpoint(dense);
  tpq::quant::convert_to_half(*checkpoint.model, torch::kBFloat16);
  const auto bf16 = scratch / "bf16-model";
  tpq::checkpoint::save_checkpoint(bf16, *checkpoint.model, checkpoint.tokenizer.get());
  const auto half = export_model(bf16, onnx);
  EXPECT_EQ(half.exit_code, 2) << half.output;
  EXPECT_NE(half.output.find("kernel; ONNX export covers FP32 (dense, pruned, sparse), FP16 and INT8 (dynamic, static, QAT)"), std::string::npos)
      << half.output;
  EXPECT_FALSE(fs::exists(onnx.parent_path()));
}

}  // namespace
