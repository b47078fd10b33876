// The cross-experiment comparison (experiment 10): one summary row per measured variant, the
// accuracy/size Pareto front, and the best configurations of template 5.2, each chosen by a rule
// stated next to it. Pure arithmetic on recorded numbers; nothing is measured here.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tpq/report/results_tree.h"
#include "tpq/results/table.h"

namespace tpq::report {

struct SummaryRow {
  std::string experiment;  // results subdir
  std::string variant;
  std::string label;       // extra.label, else the variant
  double accuracy = 0;
  double accuracy_se = 0;  // binomial standard error over the test examples (metrics.count); 0: count unknown
  // Over the main run and its seed reruns (results/seeds/<seed>/): seed_runs = 1 without reruns
  // (then mean = accuracy, std = 0). std is the sample standard deviation (n - 1).
  int seed_runs = 1;
  double accuracy_mean = 0, accuracy_std = 0;
  double f1 = 0;
  double file_mb = 0;
  double compression = 0;   // reference file_mb / file_mb
  double latency_ms = 0;    // p50 per sample; 0 when not recorded
  // Against the reference row: batch-32 throughput timed side by side (speed.interleaved) with its
  // interval, else (older records, 01) the batch-1 p50 latency ratio with no interval. 0: unknown.
  double speedup = 0;
  double speedup_low = 0, speedup_high = 0;
  bool speedup_has_interval = false;
  bool speedup_measurable = false;  // the interval excludes 1
  double sparsity = 0;
  double peak_rss_mb = 0;           // the evaluation's peak RSS (memory.peak_rss_mb); 0: not recorded
  double accuracy_drop_points = 0;  // (reference accuracy - accuracy) * 100
  bool reference = false;           // an FP32 baseline row (the baseline run, or an experiment's "fp32")

  std::string display_name() const { return experiment + "/" + variant; }
  // "0.8490", or "0.8470 ± 0.0030（3 个种子）" over seed reruns.
  std::string accuracy_text() const;
  // "1.85x（95% 区间 1.80–1.90）", "无可测差异（0.98x，95% 区间 0.93–1.04）", "1.85x" (no interval), "未记录".
  std::string speedup_text() const;
  // The speed-up where it is measurable (or has no interval); 1 where the interval holds 1, so a
  // "best trade-off" never rests on noise.
  double credited_speedup() const;
};

// Ratios are taken against the FP32 row measured in the same process (the experiment's "fp32"
// variant), so timings compare like with like; rows of an experiment without one use the
// baseline run. The baseline run itself is the first row.
std::vector<SummaryRow> summary_rows(const ResultsTree& tree);

// Indices of the rows no other row dominates (accuracy >= and file_mb <=, one strictly),
// sorted by file size. Of an experiment's re-measured "fp32" rows only the baseline run's counts.
std::vector<std::size_t> pareto_front(const std::vector<SummaryRow>& rows);

struct BestChoice {
  std::optional<std::size_t> row;
  std::string rule;  // how it was chosen, in Chinese
};

struct BestConfigs {
  BestChoice highest_accuracy;
  BestChoice best_compression;
  BestChoice best_tradeoff;
};

// Among compressed variants (reference rows excluded); "1 point" = 1 percentage point of accuracy.
BestConfigs best_configs(const std::vector<SummaryRow>& rows, double max_drop_points = 1.0);

// summary_table.csv: experiment, variant, label, accuracy, f1, file_mb, compression, latency_ms, speedup, sparsity.
results::Table summary_table(const std::vector<SummaryRow>& rows);

}  // namespace tpq::report

namespace tpq::report {

// Template 5.2 in its own layout (方法 / 准确率 / 模型大小 / 压缩比, plus the rule behind each
// choice), or a sentence saying why a choice could not be made.
std::string best_configs_markdown(const std::vector<SummaryRow>& rows, const BestConfigs& best);

// The summary table with Chinese headers, for summary_report.md and the lab report's appendix.
std::string summary_markdown(const std::vector<SummaryRow>& rows, const std::vector<std::size_t>& pareto);

}  // namespace tpq::report
