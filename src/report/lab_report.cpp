#include "tpq/report/lab_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include <spdlog/spdlog.h>

#include "report_sections.h"
#include "tpq/core/error.h"
#include "tpq/results/experiment_catalogue.h"
#include "tpq/core/runtime_info.h"
#include "tpq/io/atomic_file.h"
#include "report/report_export.h"

namespace tpq::report {
namespace fs = std::filesystem;

std::string num(double value, int decimals) { return results::format_number(value, decimals); }

std::string drop_percent(double reference, double value) {
  return reference > 0 ? num((reference - value) / reference * 100.0, 2) : "n/a";
}

std::string not_run(const ReportContext& context, const std::string& subdir) {
  const auto* info = results::find_by_results_dir(subdir);
  return "未运行：" + (context.tree.root / subdir / "metrics.json").string() + " 不存在（运行 " +
         (info ? info->program : subdir) + "）";
}

std::vector<SummaryRow> rows_of(const ReportContext& context, const std::string& subdir) {
  std::vector<SummaryRow> rows;
  for (const auto& row : context.rows) {
    if (row.experiment == subdir) rows.push_back(row);
  }
  return rows;
}

const SummaryRow* row_of(const ReportContext& context, const std::string& subdir, const std::string& variant) {
  for (const auto& row : context.rows) {
    if (row.experiment == subdir && row.variant == variant) return &row;
  }
  return nullptr;
}

std::string figure(const ReportContext& context, const fs::path& png, const std::string& caption, const std::string& made_by) {
  if (!fs::exists(png)) return "（图未生成：" + png.string() + " 不存在，运行 " + made_by + " 生成）";
  // results/<experiment>/<chart>.png travels with the report as figures/<experiment>_<chart>.png.
  const std::string name = png.parent_path().filename().string() + "_" + png.filename().string();
  auto& figures = context.figures;
  if (std::none_of(figures.begin(), figures.end(), [&](const FigureCopy& copy) { return copy.name == name; })) {
    figures.push_back({png, name});
  }
  return "![" + caption + "](figures/" + name + ")";
}

std::string inline_value(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_float()) {
    const double number = value.get<double>();
    // Four decimals would print a learning rate of 1e-05 as 0.0000.
    if (number != 0.0 && std::abs(number) < 0.01) {
      char text[32];
      std::snprintf(text, sizeof text, "%g", number);
      return text;
    }
    return num(number, 4);
  }
  return value.dump();
}

std::string first_key(const nlohmann::json& object, const std::vector<std::string>& keys, const std::string& fallback) {
  if (!object.is_object()) return fallback;
  for (const auto& key : keys) {
    if (object.contains(key) && !object[key].is_null()) return inline_value(object[key]);
  }
  return fallback;
}

std::string pruned_weights_text(const nlohmann::json& experiment_extra) {
  const std::string pruned = first_key(experiment_extra, {"pruned_weights"}, "encoder Linear weights");
  return pruned.find("word-embedding") != std::string::npos ? "编码器 Linear 权重 + 词嵌入表" : "编码器 Linear 权重";
}

const nlohmann::json& config_section(const ExperimentResult& result, const std::string& section) {
  static const nlohmann::json empty = nlohmann::json::object();
  const auto& config = result.record.primary.config;
  const auto it = config.find(section);
  return it != config.end() && it->is_object() ? *it : empty;
}

namespace {

struct Block {
  std::string heading;  // the whole heading line ("### 3.1 数据集"), empty before the first heading
  std::string body;
};

std::vector<Block> split_blocks(const std::string& text) {
  std::vector<Block> blocks(1);
  std::istringstream in(text);
  std::string line;
  bool in_code = false;
  while (std::getline(in, line)) {
    if (line.rfind("```", 0) == 0) in_code = !in_code;
    if (!in_code && !line.empty() && line[0] == '#') {
      blocks.push_back({line, ""});
      continue;
    }
    blocks.back().body += line + "\n";
  }
  return blocks;
}

std::string heading_text(const std::string& heading) {
  const auto start = heading.find_first_not_of("# ");
  return start == std::string::npos ? "" : heading.substr(start);
}

// A section ends with the template's horizontal rule, if it had one.
bool ends_with_rule(const std::string& body) {
  const auto end = body.find_last_not_of(" \n");
  return end != std::string::npos && end >= 2 && body.compare(end - 2, 3, "---") == 0;
}

nlohmann::json optional_json(const fs::path& path) {
  if (!fs::exists(path)) return nullptr;
  try {
    return io::read_json_file(path);
  } catch (const UserError& error) {
    spdlog::warn("lab report: ignoring {}", error.what());
    return nullptr;
  }
}

// Pandoc (and CommonMark) start a table only after a blank line; the template writes
// "实验结果：" directly above its tables, which GitHub shows as a table and pandoc as text.
std::string blank_line_before_tables(const std::string& markdown) {
  std::istringstream in(markdown);
  std::string line, out, previous;
  bool in_code = false;
  while (std::getline(in, line)) {
    if (line.rfind("```", 0) == 0) in_code = !in_code;
    const bool table_starts = !in_code && line.rfind("|", 0) == 0 && !previous.empty() && previous.rfind("|", 0) != 0;
    if (table_starts) out += "\n";
    out += line + "\n";
    previous = line;
  }
  return out;
}

}  // namespace

FilledReport fill_lab_report(const std::string& template_text, const ResultsTree& tree, const Environment& environment) {
  ReportContext context{tree, environment, summary_rows(tree), {}, {}, nullptr, nullptr, utc_timestamp().substr(0, 10), nullptr, {}};
  context.pareto = pareto_front(context.rows);
  context.best = best_configs(context.rows);
  context.baseline_config = optional_json(tree.root / "baseline" / "config.json");
  context.dataset_stats = optional_json(tree.root / "baseline" / "dataset_stats.json");
  context.bench = optional_json(tree.root / "bench" / "bench.json");
  context.deploy = optional_json(tree.root / "deploy" / "deploy.json");
  SectionWriters writers;
  add_setup_sections(writers);
  add_experiment_sections(writers);
  add_analysis_sections(writers);

  FilledReport report;
  for (const auto& block : split_blocks(template_text)) {
    if (block.heading.empty()) {
      report.markdown += block.body;
      continue;
    }
    std::string title = heading_text(block.heading);
    if (block.heading.rfind("# ", 0) == 0 && title.size() > 6 && title.compare(title.size() - 6, 6, "模板") == 0) {
      report.markdown += "# " + title.substr(0, title.size() - 6) + "\n" + block.body;  // 实验报告模板 -> 实验报告
      continue;
    }
    const auto writer = writers.find(title);
    if (writer == writers.end()) {
      if (block.body.find_first_not_of(" \n") != std::string::npos) report.kept_sections.push_back(title);
      report.markdown += block.heading + "\n" + block.body;
      continue;
    }
    std::string body = writer->second(context);
    while (!body.empty() && body.back() == '\n') body.pop_back();
    report.markdown += block.heading + "\n\n" + body + "\n\n" + (ends_with_rule(block.body) ? "---\n\n" : "");
  }
  report.markdown = blank_line_before_tables(report.markdown);
  report.figures = std::move(context.figures);
  return report;
}

std::vector<fs::path> write_lab_report(const LabReportOptions& options) {
  require(fs::is_regular_file(options.template_path),
          "report template " + options.template_path.string() + " not found: pass --template report/实验报告模板.md");
  for (const auto& format : options.formats) require_export_format(format);
  const auto tree = load_results_tree(options.results_dir);
  require(!tree.experiments.empty(), "no finished experiment under " + options.results_dir.string() +
                                         " (no */metrics.json): run experiments/run_all.sh first, or pass --results-dir");
  const auto report = fill_lab_report(io::read_file(options.template_path), tree, detect_environment());
  for (const auto& title : report.kept_sections) spdlog::info("lab report: section '{}' kept as in the template", title);
  publish_report_folder(report, tree, options.output);
  spdlog::info("lab report written to {} ({} experiment(s), {} figure(s))", options.output.string(), tree.experiments.size(),
               report.figures.size());
  std::vector<fs::path> written{options.output};
  for (const auto& format : options.formats) written.push_back(export_with_pandoc(options.output, format));
  return written;
}

}  // namespace tpq::report
