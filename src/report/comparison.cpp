#include "tpq/report/comparison.h"

#include <algorithm>
#include <cmath>

#include "tpq/results/chart.h"
#include "tpq/results/experiment_catalogue.h"

namespace tpq::report {
using results::format_number;

namespace {

SummaryRow make_row(const std::string& experiment, const results::RunRecord& record, const results::RunRecord& reference) {
  SummaryRow row;
  row.experiment = experiment;
  row.variant = record.variant;
  const bool labelled = record.extra.contains("label") && record.extra["label"].is_string();
  row.label = labelled || experiment != "baseline" ? record.label() : "FP32 (基线)";
  row.accuracy = record.metrics.accuracy;
  row.accuracy_se = results::accuracy_standard_error(record.metrics.accuracy, record.metrics.count);
  row.f1 = record.metrics.f1;
  row.file_mb = record.size.file_mb;
  row.sparsity = record.size.sparsity;
  row.peak_rss_mb = record.memory.peak_rss_mb;
  row.latency_ms = record.speed.latency_ms_p50;
  const double reference_latency = reference.speed.latency_ms_p50;
  row.compression = row.file_mb > 0 ? reference.size.file_mb / row.file_mb : 0;
  row.speedup = row.latency_ms > 0 && reference_latency > 0 ? reference_latency / row.latency_ms : 0;
  const auto& interleaved = record.speed.interleaved;
  if (interleaved.rounds > 0 && reference.speed.interleaved.rounds > 0) {  // timed beside this reference
    row.speedup = interleaved.throughput_speedup.median;
    row.speedup_low = interleaved.throughput_speedup.low;
    row.speedup_high = interleaved.throughput_speedup.high;
    row.speedup_has_interval = interleaved.throughput_speedup.confidence > 0;
    row.speedup_measurable = interleaved.throughput_speedup.measurable();
  }
  row.accuracy_drop_points = (reference.metrics.accuracy - row.accuracy) * 100.0;
  return row;
}

}  // namespace

std::string SummaryRow::speedup_text() const {
  if (speedup <= 0) return "未记录";
  if (reference) return format_number(speedup, 2) + "x";  // an FP32 row against itself (or the baseline run)
  if (!speedup_has_interval) return format_number(speedup, 2) + "x";
  return results::speedup_with_interval_text(speedup, speedup_low, speedup_high, speedup_measurable);
}

double SummaryRow::credited_speedup() const {
  if (speedup_has_interval && !speedup_measurable) return 1.0;
  return speedup;
}

namespace {

std::vector<std::string> ordered_subdirs(const ResultsTree& tree) {
  std::vector<std::string> order;
  for (const auto& entry : results::experiment_catalogue()) {
    if (tree.find(entry.results_dir)) order.push_back(entry.results_dir);
  }
  for (const auto& [subdir, result] : tree.experiments) {  // experiments tpq does not know yet, by name
    if (!results::find_by_results_dir(subdir)) order.push_back(subdir);
  }
  return order;
}

// Mean and sample std of the row's accuracy over the main run and every seed rerun that has the variant.
void add_seed_statistics(SummaryRow& row, const ResultsTree& tree) {
  std::vector<double> values{row.accuracy};
  const auto repeats = tree.repeats.find(row.experiment);
  if (repeats != tree.repeats.end()) {
    for (const auto& rerun : repeats->second) {
      if (const auto* record = rerun.variant(row.variant)) values.push_back(record->metrics.accuracy);
    }
  }
  double sum = 0;
  for (double value : values) sum += value;
  row.seed_runs = static_cast<int>(values.size());
  row.accuracy_mean = sum / static_cast<double>(values.size());
  double squares = 0;
  for (double value : values) squares += (value - row.accuracy_mean) * (value - row.accuracy_mean);
  row.accuracy_std = values.size() > 1 ? std::sqrt(squares / static_cast<double>(values.size() - 1)) : 0.0;
}

}  // namespace

std::string SummaryRow::accuracy_text() const {
  if (seed_runs <= 1) return format_number(accuracy, 4);
  return format_number(accuracy_mean, 4) + " ± " + format_number(accuracy_std, 4) + "（" + std::to_string(seed_runs) + " 个种子）";
}

std::vector<SummaryRow> summary_rows(const ResultsTree& tree) {
  std::vector<SummaryRow> rows;
  const ExperimentResult* baseline = tree.find("baseline");
  for (const auto& subdir : ordered_subdirs(tree)) {
    const auto& result = *tree.find(subdir);
    const results::RunRecord* reference = result.variant("fp32");
    if (!reference && baseline) reference = &baseline->variants().front();
    if (!reference) reference = &result.variants().front();
    for (const auto& record : result.variants()) {
      auto row = make_row(subdir, record, *reference);
      row.reference = subdir == "baseline" || row.variant == "fp32";
      add_seed_statistics(row, tree);
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

std::vector<std::size_t> pareto_front(const std::vector<SummaryRow>& rows) {
  auto candidate = [&](std::size_t i) { return !rows[i].reference || rows[i].experiment == "baseline"; };
  std::vector<std::size_t> front;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!candidate(i)) continue;
    bool dominated = false;
    for (std::size_t j = 0; j < rows.size() && !dominated; ++j) {
      if (j == i || !candidate(j)) continue;
      const bool no_worse = rows[j].accuracy >= rows[i].accuracy && rows[j].file_mb <= rows[i].file_mb;
      const bool better = rows[j].accuracy > rows[i].accuracy || rows[j].file_mb < rows[i].file_mb;
      dominated = no_worse && better;
    }
    if (!dominated) front.push_back(i);
  }
  std::sort(front.begin(), front.end(), [&](std::size_t a, std::size_t b) {
    return rows[a].file_mb != rows[b].file_mb ? rows[a].file_mb < rows[b].file_mb : a < b;
  });
  return front;
}

BestConfigs best_configs(const std::vector<SummaryRow>& rows, double max_drop_points) {
  BestConfigs best;
  const std::string drop = "准确率下降 ≤ " + format_number(max_drop_points, 1) + " 个百分点（相对同一进程测得的 FP32 行）";
  best.highest_accuracy.rule = "所有压缩变体中测试集准确率最高者（并列时取模型更小者）";
  best.best_compression.rule = drop + "的变体中压缩比（FP32 文件大小 / 变体文件大小）最大者";
  best.best_tradeoff.rule = drop + "的变体中 压缩比 × 加速比 最大者（加速比：同一进程交替计时的 batch 32 吞吐量之比，95% 区间包含 1 的记为 1；"
                             "无交替计时的记录用 FP32 p50 延迟 / 变体 p50 延迟）";
  auto better = [&](std::optional<std::size_t>& current, std::size_t i, double score, double current_score) {
    if (!current || score > current_score) current = i;
  };
  double best_accuracy = 0, best_ratio = 0, best_product = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    if (row.reference) continue;
    if (!best.highest_accuracy.row || row.accuracy > best_accuracy ||
        (row.accuracy == best_accuracy && row.file_mb < rows[*best.highest_accuracy.row].file_mb)) {
      best.highest_accuracy.row = i;
      best_accuracy = row.accuracy;
    }
    if (row.accuracy_drop_points > max_drop_points) continue;
    const double ratio = row.compression;
    better(best.best_compression.row, i, ratio, best_ratio);
    if (best.best_compression.row == i) best_ratio = ratio;
    if (row.speedup > 0) {
      const double product = row.compression * row.credited_speedup();  // noise is not a speed-up
      better(best.best_tradeoff.row, i, product, best_product);
      if (best.best_tradeoff.row == i) best_product = product;
    }
  }
  return best;
}

results::Table summary_table(const std::vector<SummaryRow>& rows) {
  results::Table table({"experiment", "variant", "label", "accuracy", "accuracy_mean", "accuracy_std", "seed_runs", "f1", "file_mb",
                        "compression", "latency_ms", "speedup", "speedup_low", "speedup_high", "speedup_measurable", "peak_rss_mb",
                        "sparsity"});
  for (const auto& row : rows) {
    table.add_row({row.experiment, row.variant, row.label, format_number(row.accuracy, 4), format_number(row.accuracy_mean, 4),
                   format_number(row.accuracy_std, 4), std::to_string(row.seed_runs), format_number(row.f1, 4),
                   format_number(row.file_mb, 3), format_number(row.compression, 2),
                   row.latency_ms > 0 ? format_number(row.latency_ms, 3) : "",
                   row.speedup > 0 ? format_number(row.speedup, 2) : "",
                   row.speedup_has_interval ? format_number(row.speedup_low, 3) : "",
                   row.speedup_has_interval ? format_number(row.speedup_high, 3) : "",
                   row.speedup_has_interval ? (row.speedup_measurable ? "yes" : "no") : "",
                   row.peak_rss_mb > 0 ? format_number(row.peak_rss_mb, 1) : "", format_number(row.sparsity, 4)});
  }
  return table;
}

}  // namespace tpq::report

namespace tpq::report {

namespace {

std::string choice_markdown(const std::string& title, const std::vector<SummaryRow>& rows, const BestChoice& choice,
                            bool with_reason) {
  std::string out = "**" + title + "**：\n";
  if (!choice.row) {
    return out + "- 方法：无满足条件的配置（规则：" + choice.rule + "）\n";
  }
  const auto& row = rows[*choice.row];
  out += "- 方法：" + row.label + "（" + row.experiment + "/" + row.variant + "）\n";
  out += "- 准确率：" + format_number(row.accuracy, 4) + "（F1 " + format_number(row.f1, 4) + "，相对 FP32 下降 " +
         format_number(row.accuracy_drop_points, 2) + " 个百分点）\n";
  out += "- 模型大小：" + format_number(row.file_mb, 2) + " MB\n";
  out += "- 压缩比：" + format_number(row.compression, 2) + "x" +
         (row.speedup > 0 ? "（加速比 " + row.speedup_text() + "）" : std::string()) + "\n";
  out += std::string(with_reason ? "- 选择理由：" : "- 选择规则：") + choice.rule + "\n";
  return out;
}

}  // namespace

std::string best_configs_markdown(const std::vector<SummaryRow>& rows, const BestConfigs& best) {
  return choice_markdown("最高准确率配置", rows, best.highest_accuracy, false) + "\n" +
         choice_markdown("最佳压缩比配置", rows, best.best_compression, false) + "\n" +
         choice_markdown("最佳权衡配置", rows, best.best_tradeoff, true);
}

std::string summary_markdown(const std::vector<SummaryRow>& rows, const std::vector<std::size_t>& pareto) {
  results::Table table({"实验", "变体", "方法", "准确率", "F1分数", "模型大小 (MB)", "压缩比", "推理时间 (ms)", "加速比",
                        "峰值内存 (MB)", "稀疏度", "帕累托最优"});
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    const bool on_front = std::find(pareto.begin(), pareto.end(), i) != pareto.end();
    table.add_row({row.experiment, row.variant, row.label, row.accuracy_text(), format_number(row.f1, 4),
                   format_number(row.file_mb, 2), format_number(row.compression, 2) + "x",
                   row.latency_ms > 0 ? format_number(row.latency_ms, 3) : "未记录",
                   row.speedup_text(), row.peak_rss_mb > 0 ? format_number(row.peak_rss_mb, 1) : "未记录",
                   format_number(row.sparsity * 100, 1) + "%", on_front ? "是" : "否"});
  }
  return table.to_markdown();
}

}  // namespace tpq::report
