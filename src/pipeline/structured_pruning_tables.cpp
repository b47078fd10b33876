#include "pipeline/structured_pruning_tables.h"

#include <spdlog/spdlog.h>

#include "tpq/results/chart.h"
#include "tpq/results/chart_text.h"
#include "tpq/results/table.h"

namespace tpq::pipeline {
namespace fs = std::filesystem;
using results::format_number;

namespace {

std::string kind_of(const results::RunRecord& record) {
  if (!record.extra.contains("pruning")) return "baseline";
  return record.extra["pruning"].value("kind", "");
}

}  // namespace

nlohmann::json before_after_json(const std::vector<BeforeAfter>& rows) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& row : rows) {
    nlohmann::json item;
    item["variant"] = row.variant;
    item["label"] = row.label;
    item["before"] = {{"accuracy", row.accuracy_before}, {"f1", row.f1_before}};
    item["after"] = {{"accuracy", row.accuracy_after}, {"f1", row.f1_after}};
    out.push_back(item);
  }
  return out;
}

void write_structured_pruning_tables(const std::vector<results::RunRecord>& records, const std::vector<BeforeAfter>& fine_tuning,
                                     const fs::path& output_dir) {
  const auto& base = records.front();
  const double base_accuracy = base.metrics.accuracy;
  auto common = [](const results::RunRecord& r) {
    return std::vector<std::string>{format_number(r.metrics.accuracy, 4), format_number(r.metrics.f1, 4),
                                    format_number(r.size.file_mb, 2)};
  };
  auto latency = [](const results::RunRecord& r) { return format_number(r.speed.latency_ms_p50, 3); };

  results::Table heads({"剪枝头数", "准确率", "F1分数", "模型大小 (MB)", "性能下降 (%)", "推理时间 (ms)"});
  results::Table ffn({"FFN稀疏度", "准确率", "F1分数", "模型大小 (MB)", "推理时间 (ms)"});
  auto base_cells = common(base);
  heads.add_row({"0 (基线)", base_cells[0], base_cells[1], base_cells[2], "-", latency(base)});
  ffn.add_row({"0% (基线)", base_cells[0], base_cells[1], base_cells[2], latency(base)});
  for (const auto& record : records) {
    const auto cells = common(record);
    const std::string label = record.extra.value("label", record.variant);
    if (kind_of(record) == "heads") {
      const double drop = base_accuracy > 0 ? (base_accuracy - record.metrics.accuracy) / base_accuracy * 100.0 : 0.0;
      heads.add_row({label, cells[0], cells[1], cells[2], format_number(drop, 2), latency(record)});
    } else if (kind_of(record) == "ffn") {
      ffn.add_row({label, cells[0], cells[1], cells[2], latency(record)});
    }
  }
  heads.write_csv(output_dir / "heads_table.csv");
  ffn.write_csv(output_dir / "ffn_table.csv");

  results::Table tuning({"变体", "微调前准确率", "微调前F1", "微调后准确率", "微调后F1"});
  for (const auto& row : fine_tuning) {
    tuning.add_row({row.label, format_number(row.accuracy_before, 4), format_number(row.f1_before, 4),
                    format_number(row.accuracy_after, 4), format_number(row.f1_after, 4)});
  }
  tuning.write_csv(output_dir / "fine_tuning_table.csv");
  spdlog::info("head pruning:\n{}\nFFN pruning:\n{}\nbefore/after fine-tuning:\n{}", heads.to_markdown(), ffn.to_markdown(),
               tuning.to_markdown());
}

void draw_head_heatmap(const prune::HeadScores& scores, const prune::HeadSelection& removed, const std::string& method,
                       const fs::path& png) {
  if (!results::gnuplot_available()) {
    spdlog::warn("gnuplot not found: {} not drawn (scores are in metrics.json)", png.string());
    return;
  }
  results::Heatmap heatmap;
  heatmap.title = results::chart_text("Head importance (" + method + ", per-layer L2-normalised); X = removed",
                                     "注意力头重要性（" + method + "，每层 L2 归一化）；X = 已剪除");
  heatmap.x_label = results::chart_text("head", "注意力头");
  heatmap.y_label = results::chart_text("layer", "层");
  heatmap.values = scores.scores;
  for (const auto& [layer, heads] : removed) {
    for (int64_t head : heads) heatmap.marked.emplace_back(static_cast<int>(layer), static_cast<int>(head));
  }
  results::render_heatmap(heatmap, png);
}

}  // namespace tpq::pipeline
