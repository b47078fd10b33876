// Experiment 04 end to end on the toy baseline: FP32, static PTQ and QAT rows that keep what the
// baseline learned, the QAT model saved as a real INT8 checkpoint that reloads to the same logits,
// paired comparisons and verdict consistent with the rows; 0 calibration samples is a clear error.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "support/paired_records.h"
#include "support/sanitizers.h"
#include "support/toy_experiment.h"
#include "tpq/io/safetensors.h"
#include "pipeline/qat.h"

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
                                  " --epochs 1 --steps 0 --learning_rate 1e-4 --calibration_samples 40 --output_dir " + out.string());
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

  // INT8 keeps what the toy baseline learned.
  const auto& rows = metrics["variants"];
  for (const auto& row : rows) EXPECT_TRUE(tpq::testing::learned_toy_task(row, tpq::testing::kToyAccuracyFloor));

  // The paired comparisons add up to the rows' confusion matrices, details.csv repeats them, and
  // the verdict recorded is qat_verdict's (unit-tested in qat_recovery_test) on these rows.
  const auto& extra = metrics["experiment_extra"];
  tpq::testing::expect_paired_record_matches_rows(rows[1]["extra"]["paired_vs_baseline"], rows[0], rows[1]);
  tpq::testing::expect_paired_record_matches_rows(rows[2]["extra"]["paired_vs_baseline"], rows[0], rows[2]);
  tpq::testing::expect_paired_record_matches_rows(extra["qat_vs_ptq"], rows[1], rows[2]);
  tpq::testing::expect_details_csv_matches(out / "details.csv", rows);
  tpq::eval::PairedComparison ptq_vs_fp32;
  ptq_vs_fp32.standard_error = rows[1]["extra"]["paired_vs_baseline"]["standard_error"].get<double>();
  const auto verdict = tpq::pipeline::qat_verdict(tpq::testing::accuracy_of(rows[0]), tpq::testing::accuracy_of(rows[1]),
                                                  tpq::testing::accuracy_of(rows[2]), ptq_vs_fp32, {});
  EXPECT_DOUBLE_EQ(extra["ptq_accuracy_loss"].get<double>(), verdict.ptq_loss);
  EXPECT_EQ(extra["recovery"], verdict.recovery);
  EXPECT_EQ(extra["ptq_loss_significant"].get<bool>(), verdict.ptq_loss_significant);
  EXPECT_DOUBLE_EQ(extra["ptq_accuracy_loss_standard_error"].get<double>(), ptq_vs_fp32.standard_error);
}

// quantization.steps (the quick profile's budget) replaces the epoch: exactly that many optimizer steps.
TEST_F(QatExperiment, StepBudgetSetsTheOptimizerSteps) {
  TPQ_SKIP_WITHOUT_SENTENCEPIECE();
  ASSERT_FALSE(train_baseline().empty());
  const auto out = scratch / "qat-steps";
  const auto result = run_command(experiment_binary("04_qat_experiment") + profile() + " --model_path " +
                                  (scratch / "baseline" / "model").string() +
                                  " --epochs 3 --steps 7 --calibration_samples 40 --output_dir " + out.string());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto qat = tpq::testing::read_json_file(out / "metrics.json")["variants"][2]["extra"];
  EXPECT_EQ(qat["optimizer_steps"], 7) << qat.dump();
  EXPECT_EQ(qat["epochs"], 1);
  EXPECT_EQ(qat["steps_budget"], 7);
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
