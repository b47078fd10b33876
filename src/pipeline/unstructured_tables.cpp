#include "pipeline/unstructured_tables.h"

#include <algorithm>
#include <cmath>

#include <spdlog/spdlog.h>

#include "tpq/results/chart.h"
#include "tpq/results/chart_text.h"

namespace tpq::pipeline {
namespace fs = std::filesystem;
using results::format_number;

std::string sparsity_percent_text(double fraction) {
  const double pct = fraction * 100.0;
  return std::abs(pct - std::round(pct)) < 1e-6 ? std::to_string(std::llround(pct)) : format_number(pct, 1);
}

namespace {
std::string scope_label(prune::Scope scope) { return scope == prune::Scope::Global ? "全局" : "局部"; }

// The row's latency speed-up over FP32: the side-by-side median where the rows were timed in
// alternating rounds (always, since 07 has done so), else the ratio of the p50 latencies.
double latency_speedup(const results::RunRecord& fp32, const results::RunRecord& row) {
  const auto& interleaved = row.speed.interleaved;
  if (interleaved.rounds > 0 && interleaved.latency_speedup.median > 0) return interleaved.latency_speedup.median;
  return fp32.speed.latency_ms_p50 / row.speed.latency_ms_p50;
}
}  // namespace

std::string pruned_variant_name(prune::Scope scope, double target) {
  return prune::to_string(scope) + "_" + sparsity_percent_text(target);
}

std::string pruned_row_label(prune::Scope scope, double target) {
  return sparsity_percent_text(target) + "% (" + scope_label(scope) + ")";
}

std::string primary_pruned_variant(const std::vector<PrunedRow>& rows, prune::Scope first_scope) {
  std::string primary;
  double primary_distance = 2;
  for (const auto& row : rows) {
    const double distance = std::abs(row.target - 0.5) + (row.scope == first_scope ? 0.0 : 1e-3);
    if (distance < primary_distance) {
      primary_distance = distance;
      primary = pruned_variant_name(row.scope, row.target);
    }
  }
  return primary;
}

results::Table sparsity_table(const std::vector<results::RunRecord>& records, const std::vector<PrunedRow>& rows,
                              double baseline_actual) {
  results::Table out({"稀疏度", "准确率", "F1分数", "实际稀疏度", "模型大小 (MB)", "性能下降 (%)", "剪枝范围",
                      "稠密保存 (MB)", "压缩/稠密", "推理时间 (ms)", "加速比"});
  const auto& base = records.front();
  const double base_accuracy = base.metrics.accuracy;
  out.add_row({"0 (基线)", format_number(base_accuracy, 4), format_number(base.metrics.f1, 4),
               format_number(100.0 * baseline_actual, 2) + "%", format_number(base.size.file_mb, 2), "-", "-",
               format_number(base.size.file_mb, 2), "1.00", format_number(base.speed.latency_ms_p50, 3), "1.00x"});
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& record = records[i + 1];
    const auto& row = rows[i];
    const double accuracy = record.metrics.accuracy;
    out.add_row({row.label, format_number(accuracy, 4), format_number(record.metrics.f1, 4),
                 format_number(100.0 * row.actual, 2) + "%", format_number(record.size.file_mb, 2),
                 format_number(100.0 * (base_accuracy - accuracy) / base_accuracy, 2), scope_label(row.scope),
                 format_number(row.dense_file_bytes / (1024.0 * 1024.0), 2),
                 format_number(static_cast<double>(row.file_bytes) / row.dense_file_bytes, 3),
                 format_number(record.speed.latency_ms_p50, 3), format_number(latency_speedup(base, record), 2) + "x"});
  }
  return out;
}

void draw_sparsity_chart(const std::vector<results::RunRecord>& records, const std::vector<PrunedRow>& rows,
                         const fs::path& png) {
  if (!results::gnuplot_available()) {
    spdlog::warn("gnuplot not found: {} not drawn (sudo apt-get install gnuplot-nox)", png.string());
    return;
  }
  const double base_accuracy = records.front().metrics.accuracy;
  const double base_mb = records.front().size.file_mb;
  // Each curve starts at the baseline (0% sparsity); points sorted by sparsity.
  results::Series accuracy[2] = {{results::chart_text("global", "全局"), {}, {}}, {results::chart_text("local", "局部"), {}, {}}};
  results::Series size[2] = {{results::chart_text("global (compressed)", "全局（压缩保存）"), {}, {}}, {results::chart_text("local (compressed)", "局部（压缩保存）"), {}, {}}};
  double max_x = 0, dense_mb = base_mb;
  std::vector<std::size_t> order(rows.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return rows[a].target < rows[b].target; });
  for (int s = 0; s < 2; ++s) {
    accuracy[s].x.push_back(0);
    accuracy[s].y.push_back(base_accuracy);
    size[s].x.push_back(0);
    size[s].y.push_back(base_mb);
  }
  for (const std::size_t i : order) {
    const int s = rows[i].scope == prune::Scope::Global ? 0 : 1;
    accuracy[s].x.push_back(100.0 * rows[i].target);
    accuracy[s].y.push_back(records[i + 1].metrics.accuracy);
    size[s].x.push_back(100.0 * rows[i].target);
    size[s].y.push_back(records[i + 1].size.file_mb);
    max_x = std::max(max_x, 100.0 * rows[i].target);
    dense_mb = rows[i].dense_file_bytes / (1024.0 * 1024.0);
  }
  results::Series base{results::chart_text("fp32 baseline", "fp32 基线"), {0, max_x}, {base_accuracy, base_accuracy}, "lines"};
  results::Series dense{results::chart_text("dense save", "稠密保存"), {0, max_x}, {dense_mb, dense_mb}, "lines"};
  std::vector<results::Series> accuracy_series{base}, size_series{dense};
  for (int s = 0; s < 2; ++s) {
    if (accuracy[s].x.size() > 1) accuracy_series.push_back(accuracy[s]);
    if (size[s].x.size() > 1) size_series.push_back(size[s]);
  }
  results::render_panels({{results::chart_text("Test accuracy vs sparsity", "测试准确率与稀疏度"), results::chart_text("target sparsity of the pruned weights (%)", "被剪权重的目标稀疏度 (%)"), results::chart_text("accuracy", "准确率"), accuracy_series},
                          {results::chart_text("Model size on disk", "磁盘上的模型大小"), results::chart_text("target sparsity (%)", "目标稀疏度 (%)"), "MB", size_series}},
                         png);
}

}  // namespace tpq::pipeline
