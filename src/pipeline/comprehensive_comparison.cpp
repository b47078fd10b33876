#include "pipeline/comprehensive_comparison.h"


#include <spdlog/spdlog.h>

#include "tpq/core/config_tree.h"
#include "tpq/core/error.h"
#include "tpq/core/runtime_info.h"
#include "tpq/io/atomic_file.h"
#include "tpq/report/comparison.h"
#include "tpq/report/comparison_charts.h"
#include "tpq/results/run_record.h"

namespace tpq::pipeline {
namespace fs = std::filesystem;
using results::format_number;

ComparisonOptions comparison_options(const ExperimentConfig& config) {
  ComparisonOptions options;
  ConfigSection section(config.tree, "comparison");
  options.results_dir = section.get_string("results_dir", options.results_dir.string());
  options.max_accuracy_drop_points = section.get_double("max_accuracy_drop_points", options.max_accuracy_drop_points);
  section.finish();
  require(options.max_accuracy_drop_points >= 0,
          "comparison.max_accuracy_drop_points must be >= 0 (percentage points of accuracy), got " +
              format_number(options.max_accuracy_drop_points, 2));
  return options;
}

namespace {

std::string summary_report(const report::ResultsTree& tree, const std::vector<report::SummaryRow>& rows,
                           const std::vector<std::size_t>& pareto, const report::BestConfigs& best,
                           const report::ChartOutcome& charts) {
  std::string md = "# 综合对比（实验 10）\n\n";
  md += "数据来源：`" + tree.root.string() + "/*/metrics.json`（各实验记录的数值，未重新计算）。压缩比与加速比相对同一实验"
        "同一进程中测得的 FP32 行（没有 FP32 行的实验相对基线运行）。\n\n";
  md += "## 汇总表\n\n" + report::summary_markdown(rows, pareto) + "\n";
  md += "## 帕累托最优（准确率越高越好、模型越小越好）\n\n";
  for (auto i : pareto) {
    md += "- " + rows[i].label + "（" + rows[i].display_name() + "）：准确率 " + format_number(rows[i].accuracy, 4) + "，" +
          format_number(rows[i].file_mb, 2) + " MB\n";
  }
  md += "\n## 最佳配置\n\n" + report::best_configs_markdown(rows, best) + "\n## 图表\n\n";
  for (const auto& png : charts.drawn) md += "- ![" + png.stem().string() + "](" + png.filename().string() + ")\n";
  for (const auto& line : charts.skipped) md += "- 未绘制：" + line + "\n";
  md += "\n## 实验状态\n\n";
  for (const auto& info : results::experiment_catalogue()) {
    if (info.id == results::ExperimentId::Comparison) continue;  // this program
    md += "- " + info.program + "（" + info.title_zh + "）：" +
          (tree.find(info.results_dir) ? "已完成"
                                        : "未运行（" + tree.root.string() + "/" + info.results_dir + "/metrics.json 不存在）") +
          "\n";
  }
  for (const auto& warning : tree.warnings) md += "- 警告：" + warning + "\n";
  return md;
}

nlohmann::json row_json(const report::SummaryRow& row) {
  nlohmann::json json;
  json["experiment"] = row.experiment;
  json["variant"] = row.variant;
  json["label"] = row.label;
  json["accuracy"] = row.accuracy;
  json["f1"] = row.f1;
  json["file_mb"] = row.file_mb;
  json["compression"] = row.compression;
  json["latency_ms"] = row.latency_ms;
  json["speedup"] = row.speedup;
  json["sparsity"] = row.sparsity;
  json["accuracy_drop_points"] = row.accuracy_drop_points;
  return json;
}

nlohmann::json choice_json(const std::vector<report::SummaryRow>& rows, const report::BestChoice& choice) {
  nlohmann::json json;
  json["rule"] = choice.rule;
  json["row"] = choice.row ? row_json(rows[*choice.row]) : nlohmann::json();
  return json;
}


nlohmann::json sources_json(const report::ResultsTree& tree) {
  nlohmann::json sources = nlohmann::json::object();
  for (const auto& [subdir, result] : tree.experiments) {
    nlohmann::json source;
    source["metrics_json"] = (result.dir / "metrics.json").string();
    source["started_at"] = result.record.primary.provenance.started_at;
    source["git_rev"] = result.record.primary.provenance.git_rev;
    sources[subdir] = source;
  }
  return sources;
}

nlohmann::json comparison_extra(const report::ResultsTree& tree, const std::vector<report::SummaryRow>& rows,
                                const std::vector<std::size_t>& pareto, const report::BestConfigs& best,
                                const report::ChartOutcome& charts) {
  nlohmann::json summary = nlohmann::json::array();
  for (const auto& row : rows) summary.push_back(row_json(row));
  nlohmann::json front = nlohmann::json::array();
  for (auto i : pareto) front.push_back(rows[i].display_name());
  nlohmann::json chart_files = nlohmann::json::array();
  for (const auto& png : charts.drawn) chart_files.push_back(png.filename().string());
  nlohmann::json extra;
  extra["results_dir"] = tree.root.string();
  extra["rows"] = summary;
  extra["pareto_front"] = front;
  extra["best"]["highest_accuracy"] = choice_json(rows, best.highest_accuracy);
  extra["best"]["best_compression"] = choice_json(rows, best.best_compression);
  extra["best"]["best_tradeoff"] = choice_json(rows, best.best_tradeoff);
  extra["sources"] = sources_json(tree);
  extra["charts"] = chart_files;
  extra["charts_skipped"] = charts.skipped;
  extra["warnings"] = tree.warnings;
  return extra;
}

class ComprehensiveComparison : public Experiment {
 public:
  void read_options(const ExperimentConfig& config) override {
    options_ = comparison_options(config);
    results_dir_given_ = config.tree.json().contains("comparison") && config.tree.json()["comparison"].contains("results_dir");
  }

  void run(ExperimentRun& run) override {
    const fs::path results_dir = results_dir_given_ ? options_.results_dir : run.results_dir().parent_path();
    const auto tree = report::load_results_tree(results_dir);
    require(!tree.experiments.empty(), "10_comprehensive_comparison: no finished experiment under " + results_dir.string() +
                                           " (no */metrics.json); run the experiments first, or pass --results-dir");
    const auto rows = report::summary_rows(tree);
    const auto pareto = report::pareto_front(rows);
    const auto best = report::best_configs(rows, options_.max_accuracy_drop_points);
    report::summary_table(rows).write_csv(run.dir() / "summary_table.csv");
    const auto charts = report::draw_comparison_charts(tree, rows, pareto, run.dir());
    io::write_file_atomic(run.dir() / "summary_report.md", summary_report(tree, rows, pareto, best, charts));
    write_record(run, comparison_extra(tree, rows, pareto, best, charts));
    spdlog::info("comparison: {} rows from {} experiment(s), {} chart(s) in {}", rows.size(), tree.experiments.size(),
                 charts.drawn.size(), run.results_dir().string());
  }

 private:
  // Provenance and the comparison's facts; no metrics, size or speed: it measures nothing.
  static void write_record(ExperimentRun& run, const nlohmann::json& extra) {
    auto json = runtime_record();
    json["experiment"] = "comprehensive_comparison";
    json["variant"] = "summary";
    json["config"] = run.config().to_json();
    json["seed"] = run.config().run.seed;
    json["device"] = run.device().str();
    json["started_at"] = run.started_at();
    json["wall_s"] = run.elapsed_seconds();
    json["extra"] = {{"measures_nothing", "aggregates the recorded metrics.json of the other experiments"}};
    json["metrics"] = json["size"] = json["speed"] = json["memory"] = nlohmann::json::object();
    json["variants"] = nlohmann::json::array();  // no table rows of its own
    json["experiment_extra"] = extra;
    io::write_json_atomic(run.dir() / "metrics.json", json);  // last: marks the run complete
  }

  ComparisonOptions options_;
  bool results_dir_given_ = false;
};

}  // namespace

ExperimentDefinition comprehensive_comparison_definition() {
  ExperimentDefinition definition;
  definition.id = results::ExperimentId::Comparison;
  definition.description = "Summary table, Pareto front, best configurations and charts across all finished experiments";
  definition.measures_speed = false;
  definition.extra_sections = {"comparison"};
  definition.flags = {
      {"--results-dir,--results_dir", "comparison.results_dir",
       "Directory holding <experiment>/metrics.json (default: the parent of --output_dir)"},
      {"--max-accuracy-drop,--max_accuracy_drop", "comparison.max_accuracy_drop_points",
       "Accuracy drop (percentage points) allowed for the best-compression and trade-off picks"},
  };
  definition.make = [] { return std::make_unique<ComprehensiveComparison>(); };
  return definition;
}

}  // namespace tpq::pipeline
