// Experiment 04: quantization-aware training. The baseline is calibrated and converted to static
// INT8 (PTQ row), and separately fine-tuned with fake-quant Linears then converted to the same
// real INT8 kernels (QAT row): the template's table 4.2.3.
#pragma once

#include <filesystem>
#include <string>

#include "tpq/eval/paired_comparison.h"
#include "tpq/pipeline/experiment.h"
#include "tpq/results/run_record.h"
#include "tpq/results/table.h"

namespace tpq::pipeline {

struct QatOptions {
  std::filesystem::path baseline_model;  // empty: <results>/baseline/model
  std::string engine = "auto";
  bool include_pooler_and_classifier = false;
  int64_t epochs = 2;
  // > 0: that many optimizer steps instead of `epochs`, on a seeded sample of the training split
  // (steps x batch examples) — the quick profile's budget, like pruning.fine_tune_steps.
  int64_t steps = 0;
  int64_t trained_epochs() const { return steps > 0 ? 1 : epochs; }  // a step budget is one pass over its sample
  double learning_rate = 1e-5;
  double freeze_observers_ratio = 0.5;  // fraction of the optimizer steps after which ranges stop moving
  int64_t calibration_samples = 1000;   // training examples for the initial (and PTQ) ranges
  // Weight grid of both PTQ and QAT rows. 8 is INT8; fewer bits (e.g. 4) keep int8 storage and
  // kernels but round onto 2^bits - 1 levels: the harsher setting where PTQ visibly loses accuracy.
  int64_t weight_bits = 8;
};

// Reads the `quantization:` section; UserError naming the key for out-of-range values.
QatOptions qat_options(const ExperimentConfig& config);

// What 04 concludes from its three rows (FP32, PTQ, QAT) on the same test examples.
struct QatVerdict {
  double ptq_loss = 0;                  // FP32 accuracy - PTQ accuracy
  nlohmann::json recovery = nullptr;    // (QAT - PTQ) / ptq_loss; null when PTQ lost nothing
  bool ptq_loss_significant = false;    // the loss is positive and at least two paired standard errors
  eval::PairedComparison ptq_vs_fp32;
  eval::PairedComparison qat_vs_ptq;
};
QatVerdict qat_verdict(double fp32_accuracy, double ptq_accuracy, double qat_accuracy,
                       const eval::PairedComparison& ptq_vs_fp32, const eval::PairedComparison& qat_vs_ptq);

// comparison_table.csv, the template's 4.2.3 columns: 方法 | 准确率 | F1分数 | 模型大小 (MB) | 训练时间.
results::Table qat_comparison_table(const std::vector<results::RunRecord>& rows);

ExperimentDefinition qat_definition();

}  // namespace tpq::pipeline
