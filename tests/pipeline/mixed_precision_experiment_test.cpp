// Experiment 05 end to end on the toy baseline: five measured rows, real 16-bit / INT8 files, the
// sensitivity ranking and the Linears the mixed variant kept in FP32.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "support/sanitizers.h"
#include "support/toy_experiment.h"
#include "tpq/io/safetensors.h"

namespace {

namespace fs = std::filesystem;
using tpq::testing::experiment_binary;
using tpq::testing::run_command;

class MixedPrecisionExperiment : public tpq::testing::ToyExperimentTest {};

using tpq::testing::first_line;

TEST_F(MixedPrecisionExperiment, MeasuresEveryPrecisionAndKeepsTheMostSensitiveLinearsFp32) {
  TPQ_SKIP_WITHOUT_SENTENCEPIECE();
  ASSERT_FALSE(train_baseline().empty());
  const std::string common = profile();
  const auto out = scratch / "mixed_precision";
  const auto result = run_command(experiment_binary("05_mixed_precision") + common + " --model_path " +
                                  (scratch / "baseline" / "model").string() + " --sensitivity_samples 30 --output_dir " +
                                  out.string());
  ASSERT_EQ(result.exit_code, 0) << result.output;

  const auto metrics = tpq::testing::read_json_file(out / "metrics.json");
  EXPECT_EQ(metrics["variant"], "mixed");
  ASSERT_EQ(metrics["variants"].size(), 5u);
  const std::vector<std::string> names{"fp32", "fp16", "bf16", "int8", "mixed"};
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(metrics["variants"][i]["variant"], names[i]);
    EXPECT_TRUE(tpq::testing::learned_toy_task(metrics["variants"][i], tpq::testing::kToyAccuracyFloor));
  }
  // Whole directories are compared in the table; on the toy model the tokenizer dominates them,
  // so check the weights file itself here.
  const auto fp32_bytes = static_cast<double>(fs::file_size(scratch / "baseline" / "model" / "model.safetensors"));
  for (const char* dir : {"fp16_model", "bf16_model"}) {
    EXPECT_LT(static_cast<double>(fs::file_size(out / dir / "model.safetensors")), 0.55 * fp32_bytes) << dir;
  }
  for (std::size_t i = 1; i < 5; ++i) {
    EXPECT_LT(metrics["variants"][i]["size"]["file_bytes"].get<double>(), metrics["variants"][0]["size"]["file_bytes"].get<double>());
  }

  // The toy model has one encoder layer: six Linears, one layer group, top 2 kept FP32.
  const auto& extra = metrics["experiment_extra"];
  ASSERT_EQ(extra["sensitivity"].size(), 6u);
  EXPECT_EQ(extra["layer_sensitivity"].size(), 1u);
  EXPECT_EQ(extra["sensitivity_slice"]["samples"], 30);
  for (const char* key : {"module", "layer", "accuracy", "accuracy_drop", "loss", "loss_change"}) {
    EXPECT_TRUE(extra["sensitivity"][0].contains(key)) << key;
  }
  ASSERT_EQ(extra["keep_fp32"].size(), 2u);
  EXPECT_EQ(extra["keep_fp32"][0], extra["sensitivity"][0]["module"]);
  EXPECT_EQ(extra["keep_fp32"][1], extra["sensitivity"][1]["module"]);

  const auto fp16 = tpq::io::SafetensorsFile::open(out / "fp16_model" / "model.safetensors");
  EXPECT_EQ(fp16.entry("bert.encoder.layer.0.intermediate.dense.weight").dtype, tpq::io::DType::F16);
  EXPECT_EQ(fp16.entry("bert.embeddings.word_embeddings.weight").dtype, tpq::io::DType::F16);
  const auto bf16 = tpq::io::SafetensorsFile::open(out / "bf16_model" / "model.safetensors");
  EXPECT_EQ(bf16.entry("bert.encoder.layer.0.output.dense.weight").dtype, tpq::io::DType::BF16);
  const auto mixed = tpq::io::SafetensorsFile::open(out / "mixed_model" / "model.safetensors");
  int int8_linears = 0;
  for (const auto& module : {"attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
                             "intermediate.dense", "output.dense"}) {
    const std::string name = std::string("bert.encoder.layer.0.") + module;
    const bool kept = extra["keep_fp32"][0] == name || extra["keep_fp32"][1] == name;
    EXPECT_EQ(mixed.entry(name + ".weight").dtype, kept ? tpq::io::DType::F32 : tpq::io::DType::I8) << name;
    int8_linears += kept ? 0 : 1;
  }
  EXPECT_EQ(int8_linears, 4);

  EXPECT_EQ(first_line(out / "precision_comparison.csv"), "精度,准确率,F1分数,模型大小 (MB),压缩比,推理时间 (ms),加速比");
  EXPECT_EQ(first_line(out / "sensitivity.csv"), "rank,index,module,layer,accuracy,accuracy_drop,loss,loss_change");
  EXPECT_TRUE(fs::is_regular_file(out / "sensitivity.png"));
  EXPECT_TRUE(fs::is_regular_file(out / "accuracy_size_speed.png"));

  // The saved FP16 model is an ordinary tpq checkpoint: `tpq predict` loads and runs it.
  tpq::testing::write_text_file(scratch / "in.jsonl", "{\"text\": \"a wonderful film\"}\n");
  const auto predict = run_command(tpq::testing::cli_path() + " --log-level warn predict --model " +
                                   (out / "fp16_model").string() + " --input " + (scratch / "in.jsonl").string() +
                                   " --output " + (scratch / "out.jsonl").string());
  EXPECT_EQ(predict.exit_code, 0) << predict.output;
}

TEST_F(MixedPrecisionExperiment, UnknownPrecisionIsAUserErrorListingTheValidOnes) {
  const auto result = run_command(experiment_binary("05_mixed_precision") + " --profile quick --precisions fp16 fp8 --output_dir " +
                                  (scratch / "out").string());
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("'fp8'"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("fp16, bf16, int8, mixed"), std::string::npos) << result.output;
  EXPECT_FALSE(fs::exists(scratch / "out" / "metrics.json"));
}

}  // namespace
