// Experiment 02 end to end on the toy baseline: three measured rows, real INT8 files, reloadable.
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

class DynamicQuantizationExperiment : public tpq::testing::ToyExperimentTest {};

TEST_F(DynamicQuantizationExperiment, MeasuresFp32AndBothInt8VariantsSideBySide) {
  TPQ_SKIP_WITHOUT_SENTENCEPIECE();
  ASSERT_FALSE(train_baseline().empty());
  const std::string common = profile();
  const auto out = scratch / "dynamic_quant";
  const auto result = run_command(experiment_binary("02_dynamic_quantization") + common + " --baseline-model " +
                                  (scratch / "baseline" / "model").string() + " --output_dir " + out.string());
  ASSERT_EQ(result.exit_code, 0) << result.output;

  const auto metrics = tpq::testing::read_json_file(out / "metrics.json");
  EXPECT_EQ(metrics["variant"], "int8_dynamic_per_channel");
  ASSERT_EQ(metrics["variants"].size(), 3u);
  EXPECT_EQ(metrics["variants"][0]["variant"], "fp32");
  // The FP32 row is the baseline itself, re-measured: same test accuracy as 01 reported.
  const auto baseline_metrics = tpq::testing::read_json_file(scratch / "baseline" / "metrics.json");
  EXPECT_EQ(metrics["variants"][0]["metrics"]["accuracy"], baseline_metrics["metrics"]["accuracy"]);
  for (const auto& variant : metrics["variants"]) {
    EXPECT_TRUE(tpq::testing::learned_toy_task(variant, tpq::testing::kToyAccuracyFloor));
    EXPECT_GT(variant["size"]["file_bytes"].get<uint64_t>(), 0u);
  }
  EXPECT_LT(metrics["size"]["file_bytes"].get<uint64_t>(), metrics["variants"][0]["size"]["file_bytes"].get<uint64_t>());
  // Every row was timed side by side with the others (the quick profile's 12 rounds) and only so:
  // its latency and throughput columns are those rounds' medians, and its batch-32 speed-up against
  // FP32 has a 95 % interval; FP32 against itself is exactly 1, no difference.
  for (const auto& variant : metrics["variants"]) {
    const auto& speed = variant["speed"];
    const auto& interleaved = speed["interleaved"];
    EXPECT_EQ(interleaved["rounds"], 12) << variant["variant"];
    EXPECT_GT(interleaved["batch_ms_median"].get<double>(), 0.0);
    EXPECT_EQ(speed["latency_samples"], 12 * 3);
    EXPECT_EQ(speed["throughput_batches"], 12);
    EXPECT_NEAR(speed["latency_ms_per_sample_p50"].get<double>(), interleaved["singles_ms_median"].get<double>() / 3, 1e-9);
    EXPECT_NEAR(speed["throughput_samples_s"].get<double>(), 1000.0 * 32 / interleaved["batch_ms_median"].get<double>(), 1e-6);
    const auto& speedup = interleaved["throughput_speedup"];
    EXPECT_LE(speedup["low"].get<double>(), speedup["median"].get<double>());
    EXPECT_GE(speedup["high"].get<double>(), speedup["median"].get<double>());
    EXPECT_NEAR(speedup["confidence"].get<double>(), 0.9614, 1e-4);  // order statistics 3 and 10 of 12
  }
  const auto& fp32_speedup = metrics["variants"][0]["speed"]["interleaved"]["throughput_speedup"];
  EXPECT_EQ(fp32_speedup["median"], 1.0);
  EXPECT_EQ(fp32_speedup["measurable"], false);

  const auto file = tpq::io::SafetensorsFile::open(out / "quantized_model" / "model.safetensors");
  EXPECT_EQ(file.entry("bert.encoder.layer.0.intermediate.dense.weight").dtype, tpq::io::DType::I8);
  EXPECT_EQ(file.entry("classifier.weight").dtype, tpq::io::DType::F32);

  std::ifstream csv(out / "comparison.csv");
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header, "方法,准确率,F1分数,模型大小 (MB),压缩比,推理时间 (ms),加速比");

  // The saved INT8 model is an ordinary tpq checkpoint: `tpq predict` loads and runs it.
  tpq::testing::write_text_file(scratch / "in.jsonl", "{\"text\": \"a wonderful film\"}\n");
  const auto predict = run_command(tpq::testing::cli_path() + " --log-level warn predict --model " +
                                   (out / "quantized_model").string() + " --input " + (scratch / "in.jsonl").string() +
                                   " --output " + (scratch / "out.jsonl").string());
  EXPECT_EQ(predict.exit_code, 0) << predict.output;
}

TEST_F(DynamicQuantizationExperiment, MissingBaselineSaysHowToMakeIt) {
  const auto result = run_command(experiment_binary("02_dynamic_quantization") + " --profile quick --baseline-model " +
                                  (scratch / "nowhere").string() + " --output_dir " + (scratch / "out").string());
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("01_baseline_training"), std::string::npos) << result.output;
  EXPECT_FALSE(fs::exists(scratch / "out" / "metrics.json"));
}

}  // namespace
