// 5.1's 部署 item: the recipes exported with `tpq export --format onnx` and timed in ONNX Runtime
// beside tpq on the same weights (benchmarks/onnxruntime_compare.sh, run by run_all.sh into
// results/deploy/deploy.json): the .onnx file sizes and which runtime is faster, by how much.
#include <algorithm>

#include "report_sections.h"

namespace tpq::report {
namespace {

const char* kDeployCommand = "bash benchmarks/onnxruntime_compare.sh --output results/deploy/deploy.json";

std::string recipe_name(const std::string& variant) {
  if (variant == "fp32") return "FP32";
  if (variant == "int8_dynamic") return "INT8 动态（逐通道）";
  if (variant == "pruned_50_50") return "剪枝 50% 头 + 50% FFN";
  if (variant == "pruned_50_50_int8") return "剪枝 50%/50% + INT8";
  return variant;
}

double ort_ms(const nlohmann::json& deploy, const std::string& variant, int64_t batch) {
  for (const auto& row : deploy["rows"]) {
    if (row.value("variant", "") == variant && row.value("batch_size", int64_t{0}) == batch) return row.value("onnxruntime_ms", 0.0);
  }
  return 0;
}

std::string deploy_size_table(const nlohmann::json& sizes) {
  std::string out = "| 配方 | .onnx 文件 (MB) | tpq 检查点 (MB) |\n|------|-----------------|-----------------|\n";
  for (const auto& size : sizes) {
    out += "| " + recipe_name(size.value("variant", "?")) + " | " + num(size.value("onnx_bytes", 0.0) / 1048576.0, 1) + " | " +
           num(size.value("tpq_checkpoint_bytes", 0.0) / 1048576.0, 1) + " |\n";
  }
  return out;
}

std::string deploy_speed_table(const nlohmann::json& rows) {
  std::string out = "| 配方 | batch | tpq (ms) | ONNX Runtime (ms) | ORT 用时 / tpq 用时（各轮范围） |\n"
                    "|------|-------|----------|-------------------|-------------------------------|\n";
  for (const auto& row : rows) {
    if (!row.contains("onnxruntime_ms")) continue;  // a row timed without ONNX Runtime (bf16)
    const auto ratio = row.value("onnxruntime_over_tpq", nlohmann::json::object());
    out += "| " + recipe_name(row.value("variant", "?")) + " | " + std::to_string(row.value("batch_size", 0)) + " | " +
           num(row.value("tpq_ms", 0.0), 1) + " | " + num(row.value("onnxruntime_ms", 0.0), 1) + " | " +
           num(ratio.value("median", 0.0), 2) + "（" + num(ratio.value("min", 0.0), 2) + "–" + num(ratio.value("max", 0.0), 2) + "） |\n";
  }
  return out;
}

// The recipe ONNX Runtime runs fastest at each batch size, against ORT's own FP32 and against tpq.
std::string best_recipe(const nlohmann::json& deploy) {
  std::string out;
  std::vector<int64_t> batches;
  for (const auto& row : deploy["rows"]) batches.push_back(row.value("batch_size", int64_t{0}));
  std::sort(batches.begin(), batches.end());
  batches.erase(std::unique(batches.begin(), batches.end()), batches.end());
  for (const int64_t batch : batches) {
    const nlohmann::json* best = nullptr;
    for (const auto& row : deploy["rows"]) {
      if (row.value("batch_size", int64_t{0}) != batch || !row.contains("onnxruntime_ms")) continue;
      if (!best || row.value("onnxruntime_ms", 0.0) < (*best).value("onnxruntime_ms", 0.0)) best = &row;
    }
    if (!best) continue;
    const double fp32 = ort_ms(deploy, "fp32", batch), fastest = (*best).value("onnxruntime_ms", 0.0);
    out += "- batch " + std::to_string(batch) + "：ONNX Runtime 中最快的配方是" + recipe_name((*best).value("variant", "?")) + "（" +
           num(fastest, 1) + " ms），" + ((*best).value("variant", "") != "fp32" && fp32 > 0 && fastest > 0 ? "是 ONNX Runtime 中 FP32 的 " + num(fp32 / fastest, 2) + " 倍速度，" : "") +
           "用时为 tpq 运行同一模型的 " + num((*best).value("onnxruntime_over_tpq", nlohmann::json::object()).value("median", 0.0), 2) + " 倍。\n";
  }
  return out;
}

std::string deploy_text(const ReportContext& context) {
  const auto& deploy = context.deploy;
  if (!deploy.is_object() || !deploy.contains("rows") || !deploy["rows"].is_array() || deploy["rows"].empty()) {
    return "未运行（" + context.tree.root.string() + "/deploy/deploy.json 不存在；experiments/run_all.sh 在装有 Node 与 "
           "tools/onnxruntime（bash scripts/setup.sh --no-build）时运行它，或手动：`" + kDeployCommand + "`）";
  }
  std::string out = "各配方用 `tpq export --format onnx` 导出，在 ONNX Runtime " + deploy.value("onnxruntime_version", std::string("?")) +
                    "（CPU，全部图优化）与 tpq 中对同一权重交替计时：" + std::to_string(deploy.value("rounds", 0)) + " 轮，每轮每方 " +
                    std::to_string(deploy.value("trials_per_round", 0)) + " 次前向，序列长度 " +
                    std::to_string(deploy.value("sequence_length", 0)) + "，" + std::to_string(deploy.value("threads", 0)) +
                    " 线程。比值 < 1 表示 ONNX Runtime 更快。内存分配：tpq 用调过的 glibc malloc，ONNX Runtime 用其自带的内存池。\n\n";
  out += deploy_speed_table(deploy["rows"]);
  if (deploy.contains("sizes") && deploy["sizes"].is_array()) out += "\n" + deploy_size_table(deploy["sizes"]);
  return out + "\n" + best_recipe(deploy);
}

}  // namespace

std::string deploy_section(const ReportContext& context) {
  try {
    return deploy_text(context);
  } catch (const nlohmann::json::exception& error) {  // a hand-edited deploy.json: say so, keep the report
    return "deploy.json 的内容无法读取（" + std::string(error.what()) + "）；重新运行：`" + kDeployCommand + "`";
  }
}

}  // namespace tpq::report
