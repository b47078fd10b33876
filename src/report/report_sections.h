// Internal to the lab report: the context every section writer reads, the writers' registry, and
// small text helpers shared by the section files.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tpq/report/comparison.h"
#include "tpq/report/environment.h"
#include "tpq/report/lab_report.h"
#include "tpq/report/results_tree.h"

namespace tpq::report {

// How the tables' speed columns were measured (variant_table.cpp, eval/interleaved_timing.h).
inline constexpr const char* kSpeedNote =
    "推理时间为 batch 1 的 p50 单样本延迟。加速比为 batch 32 的吞吐量之比：同一实验的各行在同一进程中交替计时"
    "（A B C A B C …，多轮），取逐轮比值的中位数及其 95% 区间（中位数的无分布假设区间）；区间包含 1 时记为“无可测差异”。"
    "压缩比、加速比均相对同一进程中测得的 FP32 行。";

struct ReportContext {
  const ResultsTree& tree;
  const Environment& env;
  std::vector<SummaryRow> rows;
  std::vector<std::size_t> pareto;
  BestConfigs best;
  nlohmann::json baseline_config;  // results/baseline/config.json, or null
  nlohmann::json dataset_stats;    // results/baseline/dataset_stats.json, or null
  std::string today;  // YYYY-MM-DD (UTC)
  nlohmann::json bench = nullptr;  // results/bench/bench.json (`tpq bench` at bert-base shape), or null
  nlohmann::json deploy = nullptr;  // results/deploy/deploy.json (ONNX Runtime beside tpq), or null
  // The charts the sections embed, collected as they are written (figure() adds to it), so the
  // report folder can carry copies of them.
  mutable std::vector<FigureCopy> figures;
};

using SectionWriter = std::function<std::string(const ReportContext&)>;
using SectionWriters = std::map<std::string, SectionWriter>;  // by heading text without '#'

void add_setup_sections(SectionWriters& writers);       // 基本信息, 环境, 数据集, 基线
void add_experiment_sections(SectionWriters& writers);  // 4.1.x, 4.2.x, 4.3
void add_analysis_sections(SectionWriters& writers);    // 五 to 十

// "未运行：results/qat/metrics.json 不存在（运行 04_qat_experiment）"
std::string not_run(const ReportContext& context, const std::string& subdir);
// 5.1's bert-base-shape section from context.bench (report_bench_section.cpp).
std::string bert_base_bench_section(const ReportContext& context);
// 5.1's 部署 item from context.deploy: the ONNX files and ONNX Runtime beside tpq (report_deploy_section.cpp).
std::string deploy_section(const ReportContext& context);
// The summary rows of one experiment, in recorded order.
std::vector<SummaryRow> rows_of(const ReportContext& context, const std::string& subdir);
const SummaryRow* row_of(const ReportContext& context, const std::string& subdir, const std::string& variant);
// "![caption](relative/path.png)", or a line saying which run makes it.
std::string figure(const ReportContext& context, const std::filesystem::path& png, const std::string& caption,
                   const std::string& made_by);
std::string num(double value, int decimals);
// Relative drop of accuracy against the reference, in percent of the reference: "1.23".
std::string drop_percent(double reference, double value);
// A JSON value as short inline text (strings bare, numbers as written).
std::string inline_value(const nlohmann::json& value);
// The first of `keys` present in `object` (as inline text), or `fallback`.
std::string first_key(const nlohmann::json& object, const std::vector<std::string>& keys, const std::string& fallback);
// What 07/08 pruned, from experiment_extra.pruned_weights: "编码器 Linear 权重 + 词嵌入表" or "编码器 Linear 权重".
std::string pruned_weights_text(const nlohmann::json& experiment_extra);
// config[section] of an experiment's record, or an empty object.
const nlohmann::json& config_section(const ExperimentResult& result, const std::string& section);

}  // namespace tpq::report
