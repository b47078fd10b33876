// Experiment 03 end to end on the toy baseline: FP32 + one row per observer x granularity, real INT8
// files, the best row saved as quantized_model/ and reloadable; bad input is a one-line error.
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

class StaticQuantizationExperiment : public tpq::testing::ToyExperimentTest {
 protected:
  std::string model_flag() { return " --model_path " + train_baseline().string(); }
};

TEST_F(StaticQuantizationExperiment, MeasuresEveryObserverAndGranularityAgainstFp32) {
  TPQ_SKIP_WITHOUT_SENTENCEPIECE();
  const auto model = model_flag();
  const auto out = scratch / "static_quant";
  const auto result = run_command(experiment_binary("03_static_quantization") + profile() + model +
                                  " --calibration_samples 40 --granularities per_tensor per_channel --output_dir " +
                                  out.string());
  ASSERT_EQ(result.exit_code, 0) << result.output;

  const auto metrics = tpq::testing::read_json_file(out / "metrics.json");
  ASSERT_EQ(metrics["variants"].size(), 1u + 4 * 2);
  EXPECT_EQ(metrics["variants"][0]["variant"], "fp32");
  const auto baseline_metrics = tpq::testing::read_json_file(scratch / "baseline" / "metrics.json");
  EXPECT_EQ(metrics["variants"][0]["metrics"]["accuracy"], baseline_metrics["metrics"]["accuracy"]);
  double best = 0;
  for (std::size_t i = 1; i < metrics["variants"].size(); ++i) {
    const auto& variant = metrics["variants"][i];
    const auto& quantization = variant["extra"]["quantization"];
    EXPECT_EQ(variant["variant"], "int8_static_" + quantization["observer"].get<std::string>() + "_" +
                                      quantization["granularity"].get<std::string>());
    EXPECT_EQ(quantization["calibration_samples"], 40);
    EXPECT_GE(quantization["calibration_s"].get<double>(), 0.0);
    EXPECT_LT(variant["size"]["file_bytes"].get<uint64_t>(), metrics["variants"][0]["size"]["file_bytes"].get<uint64_t>());
    EXPECT_TRUE(tpq::testing::learned_toy_task(variant, tpq::testing::kToyAccuracyFloor));
    best = std::max(best, variant["metrics"]["accuracy"].get<double>());
  }
  // The primary record is the most accurate INT8 row.
  EXPECT_NE(metrics["variant"], "fp32");
  EXPECT_EQ(metrics["metrics"]["accuracy"].get<double>(), best);
  EXPECT_EQ(metrics["experiment_extra"]["primary_variant"], metrics["variant"]);
  EXPECT_FALSE(metrics["experiment_extra"]["notes"].empty());

  const auto file = tpq::io::SafetensorsFile::open(out / "quantized_model" / "model.safetensors");
  EXPECT_EQ(file.entry("bert.encoder.layer.0.intermediate.dense.weight").dtype, tpq::io::DType::I8);
  EXPECT_TRUE(file.contains("bert.encoder.layer.0.intermediate.dense.input_scale"));
  EXPECT_EQ(file.entry("classifier.weight").dtype, tpq::io::DType::F32);

  std::ifstream csv(out / "comparison.csv");
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header, "方法,准确率,F1分数,模型大小 (MB),压缩比,推理时间 (ms),加速比");

  // quantized_model/ is an ordinary tpq checkpoint: `tpq predict` loads and runs it.
  tpq::testing::write_text_file(scratch / "in.jsonl", "{\"text\": \"a wonderful film\"}\n");
  const auto predict = run_command(tpq::testing::cli_path() + " --log-level warn predict --model " +
                                   (out / "quantized_model").string() + " --input " + (scratch / "in.jsonl").string() +
                                   " --output " + (scratch / "out.jsonl").string());
  EXPECT_EQ(predict.exit_code, 0) << predict.output;
}

TEST_F(StaticQuantizationExperiment, BadObserverOrZeroSamplesIsAOneLineError) {
  const auto out = scratch / "out";
  const auto zero = run_command(experiment_binary("03_static_quantization") + profile() +
                                " --calibration_samples 0 --output_dir " + out.string());
  EXPECT_EQ(zero.exit_code, 2) << zero.output;
  EXPECT_NE(zero.output.find("--calibration_samples"), std::string::npos) << zero.output;
  const auto observer = run_command(experiment_binary("03_static_quantization") + profile() +
                                    " --observers minmax kl --output_dir " + out.string());
  EXPECT_EQ(observer.exit_code, 2) << observer.output;
  EXPECT_NE(observer.output.find("moving_average"), std::string::npos) << observer.output;
  EXPECT_FALSE(fs::exists(out / "metrics.json"));
}

}  // namespace
