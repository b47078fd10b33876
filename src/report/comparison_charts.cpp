#include "tpq/report/comparison_charts.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <spdlog/spdlog.h>

#include "tpq/results/chart.h"
#include "tpq/results/chart_text.h"

namespace tpq::report {
namespace fs = std::filesystem;
using Panel = results::ChartPanel;
using results::Series;

std::string chart_name(const SummaryRow& row) {
  static const std::map<std::string, std::string> codes = {
      {"dynamic_quant", "dyn"},        {"static_quant", "static"},         {"qat", "qat"},
      {"mixed_precision", "mixed"},    {"structured_pruning", "struct"},   {"unstructured_pruning", "unstr"},
      {"progressive_pruning", "prog"}, {"combined", "comb"}};
  if (row.experiment == "baseline") return results::chart_text("baseline (fp32)", "基线 (fp32)");
  const auto it = codes.find(row.experiment);
  return (it == codes.end() ? row.experiment : it->second) + ":" + row.variant;
}

namespace {

// The rows a chart compares: the baseline run and every compressed variant (an experiment's
// re-measured fp32 row would only repeat the baseline).
std::vector<std::size_t> chart_rows(const std::vector<SummaryRow>& rows) {
  std::vector<std::size_t> picked;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i].reference || rows[i].experiment == "baseline") picked.push_back(i);
  }
  return picked;
}

// On each accuracy bar: ± one standard error, or, for a row rerun with other seeds (run_all
// --seeds), the mean ± std over the seeds. Differences smaller than the bars are noise.
Series accuracy_error_bars(const std::vector<SummaryRow>& rows, const std::vector<std::size_t>& picked, const Series& bars) {
  const bool any_reruns = std::any_of(picked.begin(), picked.end(), [&](std::size_t i) { return rows[i].seed_runs > 1; });
  Series errors{any_reruns ? results::chart_text("mean ± std over seeds (± 1 SE if not rerun)", "多个种子的均值 ± 标准差（未重复的行：± 1 个标准误）")
                           : results::chart_text("± 1 standard error", "± 1 个标准误"),
                {}, {}, "yerrorbars pt 0 lc rgb 'black' lw 1.5"};
  std::size_t bar = 0;
  for (const auto index : picked) {
    const auto& row = rows[index];
    if (row.accuracy <= 0) continue;
    const bool rerun = row.seed_runs > 1;
    errors.x.push_back(bars.x[bar++]);
    errors.y.push_back(rerun ? row.accuracy_mean : row.accuracy);
    errors.y_error.push_back(rerun ? row.accuracy_std : row.accuracy_se);
  }
  return errors;
}

Panel bar_panel(const std::string& title, const std::string& y_label, const std::vector<SummaryRow>& rows,
                const std::vector<std::size_t>& picked, double SummaryRow::*field) {
  Panel panel;
  panel.title = title;
  panel.y_label = y_label;
  Series bars{"", {}, {}, "boxes"};
  for (std::size_t k = 0; k < picked.size(); ++k) {
    const auto& row = rows[picked[k]];
    if (row.*field <= 0) continue;
    bars.x.push_back(static_cast<double>(k));
    bars.y.push_back(row.*field);
    panel.x_tics.emplace_back(static_cast<double>(k), chart_name(row));
  }
  panel.series.push_back(bars);
  if (field == &SummaryRow::accuracy) panel.series.push_back(accuracy_error_bars(rows, picked, bars));
  panel.x_range = std::make_pair(-0.6, static_cast<double>(picked.size()) - 0.4);
  if ((field == &SummaryRow::accuracy || field == &SummaryRow::f1) && !bars.y.empty()) {
    // Zoomed to the measured span (whole points around it): compressed variants usually differ
    // by tenths of a point, which a 0-1 axis would flatten. The axis labels carry the scale.
    double low = 1.0, high = 0.0;
    for (const auto& series : panel.series) {  // the error bars must fit too
      for (std::size_t i = 0; i < series.y.size(); ++i) {
        const double error = i < series.y_error.size() ? series.y_error[i] : 0.0;
        low = std::min(low, series.y[i] - error);
        high = std::max(high, series.y[i] + error);
      }
    }
    panel.y_range = std::make_pair(std::max(0.0, std::floor(low * 100.0 - 1.0) / 100.0),
                                   std::min(1.0, std::ceil(high * 100.0 + 1.0) / 100.0));
  } else {
    panel.y_range = std::make_pair(0.0, bars.y.empty() ? 1.0 : *std::max_element(bars.y.begin(), bars.y.end()) * 1.15);
  }
  return panel;
}

Panel pareto_panel(const std::vector<SummaryRow>& rows, const std::vector<std::size_t>& picked,
                   const std::vector<std::size_t>& pareto) {
  Panel panel(results::chart_text("Accuracy vs model size (Pareto front: max accuracy, min size)", "准确率与模型大小（帕累托前沿：准确率最高、体积最小）"), results::chart_text("model file size (MB)", "模型文件大小 (MB)"), results::chart_text("test accuracy", "测试准确率"));
  Series all{results::chart_text("variants", "各变体"), {}, {}, "points pt 7 ps 1.2"};
  for (auto i : picked) {
    all.x.push_back(rows[i].file_mb);
    all.y.push_back(rows[i].accuracy);
  }
  Series front{results::chart_text("Pareto front", "帕累托前沿"), {}, {}, "linespoints pt 6 ps 2.2 lc rgb 'red'"};
  for (auto i : pareto) {
    front.x.push_back(rows[i].file_mb);
    front.y.push_back(rows[i].accuracy);
    panel.labels.push_back({chart_name(rows[i]), rows[i].file_mb, rows[i].accuracy});
  }
  panel.series = {all, front};
  panel.key_position = "bottom right";  // the front runs along the top, where its labels are
  return panel;
}

// 07's rows by scope: x = achieved sparsity, y = accuracy.
std::vector<Series> sparsity_series(const ExperimentResult& pruning) {
  std::map<std::string, Series> by_scope;
  for (const auto& record : pruning.variants()) {
    const std::string& variant = record.variant;
    const auto underscore = variant.find('_');
    if (variant == "fp32" || underscore == std::string::npos) continue;
    const std::string scope = variant.substr(0, underscore);
    double sparsity = record.size.sparsity;
    number_at(record.extra, "pruning.actual_sparsity", sparsity);
    const double accuracy = record.metrics.accuracy;
    auto& series = by_scope[scope];
    series.name = scope;
    series.x.push_back(sparsity);
    series.y.push_back(accuracy);
    series.y_error.push_back(results::accuracy_standard_error(accuracy, record.metrics.count));
  }
  std::vector<Series> out;
  for (auto& [scope, series] : by_scope) {
    std::vector<std::size_t> order(series.x.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return series.x[a] < series.x[b]; });
    Series sorted{series.name, {}, {}, "yerrorlines pt 7"};  // ± 1 standard error
    for (auto i : order) {
      sorted.x.push_back(series.x[i]);
      sorted.y.push_back(series.y[i]);
      sorted.y_error.push_back(series.y_error[i]);
    }
    out.push_back(sorted);
  }
  return out;
}

std::vector<Panel> progressive_panels(const ExperimentResult& progressive) {
  Panel accuracy(results::chart_text("Progressive pruning: accuracy per iteration", "渐进式剪枝：每轮准确率"), results::chart_text("iteration", "迭代轮次"), results::chart_text("test accuracy / F1", "测试准确率 / F1"));
  Panel sparsity(results::chart_text("Progressive pruning: sparsity per iteration", "渐进式剪枝：每轮稀疏度"), results::chart_text("iteration", "迭代轮次"), results::chart_text("sparsity", "稀疏度"));
  Series acc{results::chart_text("accuracy", "准确率"), {}, {}, "linespoints"}, f1{"F1", {}, {}, "linespoints"}, target{results::chart_text("target", "目标"), {}, {}, "linespoints"},
      actual{results::chart_text("actual", "实际"), {}, {}, "linespoints"};
  const auto& history = progressive.experiment_extra().value("history", nlohmann::json::array());
  for (const auto& step : history) {
    double iteration = 0, value = 0;
    if (!number_at(step, "iteration", iteration)) continue;
    if (number_at(step, "accuracy", value)) acc.x.push_back(iteration), acc.y.push_back(value);
    if (number_at(step, "f1", value)) f1.x.push_back(iteration), f1.y.push_back(value);
    if (number_at(step, "target_sparsity", value)) target.x.push_back(iteration), target.y.push_back(value);
    if (number_at(step, "actual_sparsity", value)) actual.x.push_back(iteration), actual.y.push_back(value);
  }
  accuracy.series = {acc, f1};
  sparsity.series = {target, actual};
  return {accuracy, sparsity};
}

// Radar of normalised scores (each axis divided by its largest value among the plotted rows).
Panel radar_panel(const std::vector<SummaryRow>& rows, const std::vector<std::size_t>& shown) {
  const std::vector<std::pair<std::string, double SummaryRow::*>> axes = {
      {results::chart_text("accuracy", "准确率"), &SummaryRow::accuracy}, {"F1", &SummaryRow::f1}, {results::chart_text("compression", "压缩比"), &SummaryRow::compression},
      {results::chart_text("speed-up", "加速比"), &SummaryRow::speedup}};
  Panel panel(results::chart_text("Normalised scores (1 = best of the rows shown)", "归一化得分（1 = 所示各行中最好）"), "", "");
  panel.bare = true;
  panel.x_range = std::make_pair(-1.6, 1.6);
  panel.y_range = std::make_pair(-1.3, 1.3);
  const double pi = std::acos(-1.0);
  auto angle = [&](std::size_t a) { return pi / 2 - 2 * pi * static_cast<double>(a) / static_cast<double>(axes.size()); };
  Series grid{"", {}, {}, "lines lc rgb 'gray' dt 2"};
  for (std::size_t a = 0; a <= axes.size(); ++a) {
    grid.x.push_back(std::cos(angle(a % axes.size())));
    grid.y.push_back(std::sin(angle(a % axes.size())));
  }
  panel.series.push_back(grid);
  for (std::size_t a = 0; a < axes.size(); ++a) {
    Series spoke{"", {0, std::cos(angle(a))}, {0, std::sin(angle(a))}, "lines lc rgb 'gray' dt 2"};
    panel.series.push_back(spoke);
    panel.labels.push_back({axes[a].first, 1.08 * std::cos(angle(a)) - 0.1, 1.08 * std::sin(angle(a))});
  }
  for (auto i : shown) {
    Series polygon{chart_name(rows[i]), {}, {}, "linespoints pt 7"};
    for (std::size_t a = 0; a <= axes.size(); ++a) {
      const auto field = axes[a % axes.size()].second;
      double top = 0;
      for (auto j : shown) top = std::max(top, rows[j].*field);
      const double r = top > 0 ? rows[i].*field / top : 0;
      polygon.x.push_back(r * std::cos(angle(a % axes.size())));
      polygon.y.push_back(r * std::sin(angle(a % axes.size())));
    }
    panel.series.push_back(polygon);
  }
  return panel;
}

// The baseline and each experiment's primary variant (its metrics.json record), in row order.
std::vector<std::size_t> primary_rows(const ResultsTree& tree, const std::vector<SummaryRow>& rows) {
  std::vector<std::size_t> shown;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto* result = tree.find(rows[i].experiment);
    const bool primary = result && result->record.primary.variant == rows[i].variant;
    if (primary && (rows[i].experiment == "baseline" || !rows[i].reference)) shown.push_back(i);
  }
  return shown;
}

// The radar's rows: primary rows with a measured speed-up (at most 8, to stay legible).
std::vector<std::size_t> radar_rows(const ResultsTree& tree, const std::vector<SummaryRow>& rows) {
  std::vector<std::size_t> shown;
  for (auto i : primary_rows(tree, rows)) {
    if (rows[i].speedup > 0 && shown.size() < 8) shown.push_back(i);
  }
  return shown;
}

}  // namespace

ChartOutcome draw_comparison_charts(const ResultsTree& tree, const std::vector<SummaryRow>& rows,
                                    const std::vector<std::size_t>& pareto, const fs::path& output_dir) {
  ChartOutcome outcome;
  const auto picked = chart_rows(rows);
  auto draw = [&](const std::string& file, const std::vector<Panel>& panels, int width, int height, int grid_rows = 1) {
    results::render_chart(panels, output_dir / file, width, height, grid_rows);
    outcome.drawn.push_back(output_dir / file);
  };
  // The course guide's file names for two of the charts, beside tpq's own.
  auto also_as = [&](const std::string& file, const std::string& guide_name) {
    fs::copy_file(output_dir / file, output_dir / guide_name, fs::copy_options::overwrite_existing);
    outcome.drawn.push_back(output_dir / guide_name);
  };
  auto skip = [&](const std::string& file, const std::string& why) {
    spdlog::warn("{} not drawn: {}", file, why);
    outcome.skipped.push_back(file + ": " + why);
  };
  if (picked.empty()) {
    skip("*.png", "no finished experiment under " + tree.root.string());
    return outcome;
  }
  const int bar_width = std::max(1100, 60 * static_cast<int>(picked.size()) + 300);
  const auto accuracy = bar_panel(results::chart_text("Test accuracy", "测试准确率"), results::chart_text("accuracy", "准确率"), rows, picked, &SummaryRow::accuracy);
  const auto f1 = bar_panel(results::chart_text("Test F1", "测试 F1"), "F1", rows, picked, &SummaryRow::f1);
  const auto size = bar_panel(results::chart_text("Model file size", "模型文件大小"), results::chart_text("MB (bytes on disk)", "MB（磁盘字节）"), rows, picked, &SummaryRow::file_mb);
  const auto compression = bar_panel(results::chart_text("Compression vs FP32", "相对 FP32 的压缩比"), "x", rows, picked, &SummaryRow::compression);
  const auto latency = bar_panel(results::chart_text("Latency p50", "延迟中位数 (p50)"), results::chart_text("ms per sample", "毫秒 / 样本"), rows, picked, &SummaryRow::latency_ms);
  const auto speedup = bar_panel(results::chart_text("Speed-up vs FP32 (batch 32, timed side by side)", "相对 FP32 的加速比（batch 32，交替计时）"), "x", rows, picked, &SummaryRow::speedup);
  const auto memory = bar_panel(results::chart_text("Peak RSS during evaluation", "评估时峰值内存 (RSS)"), "MB", rows, picked, &SummaryRow::peak_rss_mb);
  draw("accuracy_comparison.png", {accuracy, f1}, bar_width, 520);
  draw("size_comparison.png", {size, compression}, bar_width, 520);
  if (latency.series.front().x.empty()) {
    skip("speed_comparison.png", "no row records a latency");
  } else {
    draw("speed_comparison.png", {latency, speedup}, bar_width, 520);
  }
  const auto radar = radar_rows(tree, rows);
  if (radar.empty()) {
    skip("radar.png", "no experiment's primary variant has a measured speed-up");
  } else {
    draw("radar.png", {radar_panel(rows, radar)}, 900, 760);
    also_as("radar.png", "radar_chart.png");
  }
  if (memory.series.front().x.empty()) {
    skip("memory_comparison.png", "no row records its peak RSS");
  } else {
    draw("memory_comparison.png", {memory}, bar_width, 520);
  }
  const auto scatter = pareto_panel(rows, picked, pareto);
  draw("accuracy_vs_size.png", {scatter}, 1000, 650);

  // The dashboard's bars show one row per experiment (its primary variant), so a page stays legible.
  auto headline = primary_rows(tree, rows);
  if (headline.empty()) headline = picked;
  std::vector<Panel> dashboard = {
      bar_panel(results::chart_text("Test accuracy (primary variant per experiment)", "测试准确率（每个实验的主变体）"), results::chart_text("accuracy", "准确率"), rows, headline, &SummaryRow::accuracy),
      bar_panel(results::chart_text("Model file size (primary variant per experiment)", "模型文件大小（每个实验的主变体）"), results::chart_text("MB (bytes on disk)", "MB（磁盘字节）"), rows, headline, &SummaryRow::file_mb),
      bar_panel(results::chart_text("Speed-up vs FP32 (primary variant per experiment)", "相对 FP32 的加速比（每个实验的主变体）"), "x", rows, headline, &SummaryRow::speedup),
      bar_panel(results::chart_text("Peak RSS, MB (primary variant per experiment)", "峰值内存 RSS, MB（每个实验的主变体）"), "MB", rows, headline, &SummaryRow::peak_rss_mb), scatter};
  if (const auto* pruning = tree.find("unstructured_pruning")) {
    Panel panel(results::chart_text("Unstructured pruning: sparsity vs accuracy", "非结构化剪枝：稀疏度与准确率"), results::chart_text("achieved sparsity", "实际稀疏度"), results::chart_text("test accuracy", "测试准确率"), sparsity_series(*pruning));
    draw("sparsity_vs_accuracy.png", {panel}, 900, 560);
    dashboard.push_back(panel);
  } else {
    skip("sparsity_vs_accuracy.png", tree.root.string() + "/unstructured_pruning/metrics.json missing (07 not run)");
  }
  if (const auto* progressive = tree.find("progressive_pruning")) {
    const auto panels = progressive_panels(*progressive);
    draw("progressive_pruning.png", panels, 1100, 460);
    dashboard.push_back(panels.front());
  } else {
    skip("progressive_pruning.png", tree.root.string() + "/progressive_pruning/metrics.json missing (08 not run)");
  }
  draw("dashboard.png", dashboard, 1800, 1100, 2);
  also_as("dashboard.png", "summary_dashboard.png");
  return outcome;
}

}  // namespace tpq::report
