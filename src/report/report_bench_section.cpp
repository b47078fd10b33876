// 5.1's bert-base-shape section: the quick model (L2 H128) is too small for INT8 or pruning to speed
// anything up (per-call overhead dominates, the embeddings are most of the file), so run_all also
// times the recipes at bert-base shape with `tpq bench`; this section states that table.
#include "report_sections.h"

#include "tpq/results/run_record.h"

namespace tpq::report {
namespace {

const char* kBenchCommand =
    "build/bin/tpq bench --shape bert-base --batch-sizes 1 32 --seq-lens 128 --variants fp32 int8_dynamic pruned_50_50 "
    "pruned_50_50_int8 --output results/bench/bench.json";

std::string variant_name(const std::string& variant) {
  if (variant == "fp32") return "FP32";
  if (variant == "int8_dynamic") return "INT8 动态（逐通道）";
  if (variant == "pruned_50_50") return "剪枝 50% 头 + 50% FFN";
  if (variant == "pruned_50_50_int8") return "剪枝 50%/50% + INT8";
  return variant;
}

std::string speedup_cell(const nlohmann::json& row) {
  const auto& paired = row.value("paired_speedup", nlohmann::json::object());
  const double ratio = row.value("speedup_vs_fp32", 0.0);
  if (row.value("variant", "") == "fp32") return "1.00x（基准）";
  if (!paired.is_object() || paired.value("confidence", 0.0) <= 0) return num(ratio, 2) + "x（轮数不足，无区间）";
  return results::speedup_with_interval_text(ratio, paired.value("low", 0.0), paired.value("high", 0.0),
                                             paired.value("measurable", false));
}

std::string speed_table(const nlohmann::json& rows) {
  std::string out = "| 变体 | batch | 序列长度 | 中位数 (ms) | 加速比（相对 FP32） |\n|------|-------|----------|-------------|--------------------|\n";
  for (const auto& row : rows) {
    if (!row.is_object()) continue;
    out += "| " + variant_name(row.value("variant", "?")) + " | " + std::to_string(row.value("batch_size", 0)) + " | " +
           std::to_string(row.value("sequence_length", 0)) + " | " + num(row.value("median_ms", 0.0), 1) + " | " + speedup_cell(row) + " |\n";
  }
  return out;
}

std::string size_table(const nlohmann::json& sizes) {
  double fp32_encoder = 0;
  for (const auto& size : sizes) {
    if (size.is_object() && size.value("variant", "") == "fp32") fp32_encoder = size.value("encoder_bytes", 0.0);
  }
  std::string out = "| 变体 | 检查点 (MB) | 编码器层 (MB) | 编码器层缩小 |\n|------|-------------|---------------|--------------|\n";
  for (const auto& size : sizes) {
    if (!size.is_object()) continue;
    const double encoder = size.value("encoder_bytes", 0.0);
    out += "| " + variant_name(size.value("variant", "?")) + " | " + num(size.value("file_bytes", 0.0) / 1048576.0, 1) + " | " +
           num(encoder / 1048576.0, 1) + " | " + (fp32_encoder > 0 && encoder > 0 ? num(fp32_encoder / encoder, 2) + "x" : "-") + " |\n";
  }
  return out;
}

std::string bench_text(const ReportContext& context) {
  const auto& bench = context.bench;
  if (!bench.is_object() || !bench.contains("rows") || !bench["rows"].is_array() || bench["rows"].empty()) {
    return "未运行（" + context.tree.root.string() + "/bench/bench.json 不存在；experiments/run_all.sh 会运行它，或手动：`" +
           kBenchCommand + "`）";
  }
  std::string out = "随机初始化的 bert-base 形状（L12 H768 A12，FFN 3072，词表 30522），" + std::to_string(bench.value("threads", 0)) +
                    " 线程，" + bench.value("quantized_engine", std::string("?")) +
                    " INT8 引擎。各变体在同一进程中交替计时（每轮每个变体一次，顺序逐轮轮换），加速比为 FP32 中位数 / 变体中位数，"
                    "区间为逐轮配对比值中位数的 95% 无分布假设区间。权重随机，所以这里没有准确率；大小来自各变体按 tpq 格式保存的文件。\n\n";
  out += speed_table(bench["rows"]);
  if (bench.contains("sizes") && bench["sizes"].is_array() && !bench["sizes"].empty()) out += "\n" + size_table(bench["sizes"]);
  return out;
}

}  // namespace

std::string bert_base_bench_section(const ReportContext& context) {
  try {
    return bench_text(context);
  } catch (const nlohmann::json::exception& error) {  // a hand-edited bench.json: say so, keep the report
    return "bench.json 的内容无法读取（" + std::string(error.what()) + "）；重新运行：`" + kBenchCommand + "`";
  }
}

}  // namespace tpq::report
