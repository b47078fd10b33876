// Experiment 04 end to end on the toy baseline: FP32, static PTQ and QAT rows, the QAT model saved as
// a real INT8 checkpoint that reloads to the same logits; 0 calibration samples is a clear error.
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

class QatExperiment : public tpq::testing::ToyExperimentTest {};

TEST_F(QatExperiment, BaselinePtqAndQatRowsWithARealInt8Model) {
  TPQ_SKIP_WITHOUT_SENTENCEPIECE();
  ASSERT_FALSE(train_baseline().empty());
  const auto out = scratch / "qat";
  const auto result = run_command(experiment_binary("04_qat_experiment") + profile() + " --model_path " +
                                  (scratch / "baseline" / "model").string() +
                                  " --epochs 1 --learning_rate 1e-4 --calibration_samples 40 --output_dir " + out.string());
  ASSERT_EQ(result.exit_code, 0) << result.output;

  const auto metrics = tpq::testing::read_json_file(out / "metrics.json");
  ASSERT_EQ(metrics["variants"].size(), 3u);
  EXPECT_EQ(metrics["variants"][0]["variant"], "fp32");
  EXPECT_EQ(metrics["variants"][1]["variant"], "int8_static_ptq");
  EXPECT_EQ(metrics["variants"][2]["variant"], "int8_qat");
  for (const auto& variant : metrics["variants"]) EXPECT_TRUE(variant["extra"].contains("training_time_s")) << variant["variant"];
  EXPECT_GT(metrics["variants"][2]["extra"]["training_time_s"].get<double>(), 0.0);

  const auto file = tpq::io::SafetensorsFile::open(out / "quantized_model" / "model.safetensors");
  EXPECT_EQ(file.entry("bert.encoder.layer.0.intermediate.dense.weight").dtype, tpq::io::DType::I8);
  EXPECT_TRUE(fs::exists(out / "comparison_table.csv"));
  EXPECT_TRUE(fs::exists(out / "training_curve.png"));
  // The saved QAT model reloads into the same kernels: the experiment compares logits after reload.
  ASSERT_TRUE(metrics["experiment_extra"].contains("reload_max_abs_logit_difference")) << metrics["experiment_extra"].dump();
  EXPECT_LT(metrics["experiment_extra"]["reload_max_abs_logit_difference"].get<double>(), 1e-6);

  // Paired comparisons: the accuracy differences they report are the rows' own differences.
  const auto accuracy = [&](int row) { return metrics["variants"][row]["metrics"]["accuracy"].get<double>(); };
  const auto& qat_vs_ptq = metrics["experiment_extra"]["qat_vs_ptq"];
  EXPECT_NEAR(qat_vs_ptq["accuracy_difference"].get<double>(), accuracy(2) - accuracy(1), 1e-9);
  EXPECT_EQ(qat_vs_ptq["count"], metrics["variants"][0]["metrics"]["count"]);
  const auto& ptq_vs_fp32 = metrics["variants"][1]["extra"]["paired_vs_baseline"];
  EXPECT_NEAR(ptq_vs_fp32["accuracy_difference"].get<double>(), accuracy(1) - accuracy(0), 1e-9);
  EXPECT_DOUBLE_EQ(metrics["experiment_extra"]["ptq_accuracy_loss_standard_error"].get<double>(),
                   ptq_vs_fp32["standard_error"].get<double>());
  EXPECT_TRUE(metrics["experiment_extra"]["ptq_loss_significant"].is_boolean());
}

TEST_F(QatExperiment, ZeroCalibrationSamplesIsAOneLineErrorNamingTheFlag) {
  const auto out = scratch / "qat-bad";
  const auto result = run_command(experiment_binary("04_qat_experiment") + profile() + " --model_path " +
                                  (scratch / "missing-model").string() + " --calibration_samples 0 --output_dir " +
                                  out.string());
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("calibration_samples"), std::string::npos) << result.output;
  EXPECT_FALSE(fs::exists(out / "metrics.json"));
}

}  // namespace
