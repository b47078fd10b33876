// Lab report section 四: every experiment's table in the template's layout, from metrics.json.
#include <algorithm>
#include <set>

#include "report_sections.h"

namespace tpq::report {
namespace {

const nlohmann::json& object_at(const nlohmann::json& json, const char* key) {
  static const nlohmann::json empty = nlohmann::json::object();
  const auto it = json.find(key);
  return it != json.end() && it->is_object() ? *it : empty;
}

// record.extra.pruning (or .quantization), or an empty object.
const nlohmann::json& extra_of(const results::RunRecord& record, const char* key) { return object_at(record.extra, key); }

double number_or(const nlohmann::json& json, const std::string& path, double fallback) {
  double value = fallback;
  number_at(json, path, value);
  return value;
}

std::string percent(double fraction) { return num(fraction * 100.0, fraction * 100.0 == static_cast<int>(fraction * 100.0) ? 0 : 1) + "%"; }

// A recorded fine-tuning budget {"epochs", "steps"} (steps win when set) as report text.
std::string budget_text(const nlohmann::json& budget, int64_t batch_size) {
  const double steps = number_or(budget, "steps", 0);
  if (steps > 0) {
    return num(steps, 0) + " 个优化器步（batch " + std::to_string(batch_size) + "，约 " +
           num(steps * static_cast<double>(batch_size), 0) + " 条训练样本）";
  }
  const double epochs = number_or(budget, "epochs", 0);
  return epochs > 0 ? num(epochs, 0) + " 个 epoch" : std::string("不微调");
}

int64_t batch_size_of(const ExperimentResult& result) {
  return static_cast<int64_t>(number_or(config_section(result, "training"), "batch_size", 32));
}

std::string head_importance_text(const nlohmann::json& importance) {
  const std::string method = first_key(importance, {"method"}, "");
  std::string text = method == "gradient"   ? "梯度重要性（Michel et al. 2019：|Σ ∂L/∂mask_h|）"
                     : method.empty()       ? "未记录（metrics.json 的 experiment_extra.head_importance 缺失）"
                                            : method;
  if (importance.contains("normalised_per_layer")) text += "，每层 " + first_key(importance, {"normalised_per_layer"}, "") + " 归一化";
  if (importance.contains("calibration_samples")) text += "，" + first_key(importance, {"calibration_samples"}, "") + " 条校准样本";
  return text;
}

std::string head_pruning(const ReportContext& context, const ExperimentResult& result, const SummaryRow& fp32) {
  struct Row { double heads; const SummaryRow* row; const results::RunRecord* record; };
  std::vector<Row> rows;
  std::string heads_total = "?";
  for (const auto& record : result.variants()) {
    const auto& pruning = extra_of(record, "pruning");
    const std::string& variant = record.variant;
    const std::string kind = first_key(pruning, {"kind"}, variant.rfind("heads_", 0) == 0 && variant.find("ffn") == std::string::npos ? "heads" : "");
    if (kind != "heads") continue;
    heads_total = first_key(pruning, {"heads_total"}, heads_total);
    rows.push_back({number_or(pruning, "heads_pruned", 0), row_of(context, result.subdir, variant), &record});
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.heads < b.heads; });
  const auto& fine_tuning = object_at(result.experiment_extra(), "fine_tuning");
  std::string list;
  for (const auto& row : rows) list += (list.empty() ? "" : ", ") + num(row.heads, 0);
  std::string out = "**注意力头剪枝**：\n\n实验设置：\n- 剪枝的注意力头数量：[" + (list.empty() ? "未运行头剪枝变体" : list) + "]（模型共 " +
                    heads_total + " 个头）\n- 重要性评估方法：" +
                    head_importance_text(object_at(result.experiment_extra(), "head_importance")) + "\n- 微调配置：每个剪枝后模型 " +
                    budget_text(fine_tuning, batch_size_of(result)) + "，学习率 " + first_key(fine_tuning, {"learning_rate"}, "未记录") +
                    "，AdamW\n\n实验结果：\n";
  out += "| 剪枝头数 | 准确率 | F1分数 | 模型大小 (MB) | 性能下降 (%) |\n|---------|--------|--------|--------------|-------------|\n";
  out += "| 0 (基线) | " + fp32.accuracy_text() + " | " + num(fp32.f1, 4) + " | " + num(fp32.file_mb, 2) + " | - |\n";
  std::string before;
  for (const auto& row : rows) {
    if (!row.row) continue;
    out += "| " + num(row.heads, 0) + " | " + num(row.row->accuracy, 4) + " | " + num(row.row->f1, 4) + " | " +
           num(row.row->file_mb, 2) + " | " + drop_percent(fp32.accuracy, row.row->accuracy) + " |\n";
    double acc = 0;
    if (number_at(extra_of(*row.record, "pruning"), "before_fine_tuning.accuracy", acc)) {
      before += (before.empty() ? "" : "；") + num(row.heads, 0) + " 个头：" + num(acc, 4) + " → " + num(row.row->accuracy, 4);
    }
  }
  if (!before.empty()) out += "\n微调前 → 微调后准确率：" + before + "。\n";
  return out;
}

std::string ffn_pruning(const ReportContext& context, const ExperimentResult& result, const SummaryRow& fp32) {
  std::string out = "**FFN 剪枝**：\n\n实验设置：\n";
  struct Row { double sparsity; const SummaryRow* row; std::string kind; std::string heads; };
  std::vector<Row> rows;
  for (const auto& record : result.variants()) {
    const auto& pruning = extra_of(record, "pruning");
    const std::string& variant = record.variant;
    const std::string kind = first_key(pruning, {"kind"}, variant.find("ffn") != std::string::npos
                                                              ? (variant.rfind("heads_", 0) == 0 ? "heads_ffn" : "ffn") : "");
    if (kind != "ffn" && kind != "heads_ffn") continue;
    rows.push_back({number_or(pruning, "ffn_sparsity", 0), row_of(context, result.subdir, variant), kind,
                    first_key(pruning, {"heads_pruned"}, "?")});
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.kind != b.kind ? a.kind < b.kind : a.sparsity < b.sparsity; });
  std::string targets;
  for (const auto& row : rows) targets += row.kind == "ffn" ? (targets.empty() ? "" : ", ") + percent(row.sparsity) : "";
  const std::string importance = first_key(result.experiment_extra(), {"ffn_importance"}, "");
  out += "- 目标稀疏度：[" + (targets.empty() ? "未运行 FFN 剪枝变体" : targets) + "]\n- 剪枝方法：按中间神经元重要性排序" +
         (importance.empty() ? std::string() : "（" + importance + "）") + "，整行/整列物理移除 FFN 中间神经元（结构化）\n\n实验结果：\n";
  out += "| FFN稀疏度 | 准确率 | F1分数 | 模型大小 (MB) |\n|----------|--------|--------|--------------|\n";
  out += "| 0% (基线) | " + fp32.accuracy_text() + " | " + num(fp32.f1, 4) + " | " + num(fp32.file_mb, 2) + " |\n";
  for (const auto& row : rows) {
    if (!row.row) continue;
    out += "| " + percent(row.sparsity) + (row.kind == "heads_ffn" ? "（+ 剪 " + row.heads + " 个头）" : "") + " | " +
           num(row.row->accuracy, 4) + " | " + num(row.row->f1, 4) + " | " + num(row.row->file_mb, 2) + " |\n";
  }
  return out;
}

std::string structured(const ReportContext& context) {
  const auto* result = context.tree.find("structured_pruning");
  const SummaryRow* fp32 = row_of(context, "structured_pruning", "fp32");
  if (!result || !fp32) {
    return "**注意力头剪枝**：\n\n" + not_run(context, "structured_pruning") + "\n\n**FFN 剪枝**：\n\n" + not_run(context, "structured_pruning");
  }
  return head_pruning(context, *result, *fp32) + "\n" + ffn_pruning(context, *result, *fp32);
}

std::string unstructured(const ReportContext& context) {
  const auto* result = context.tree.find("unstructured_pruning");
  const SummaryRow* fp32 = row_of(context, "unstructured_pruning", "fp32");
  if (!result || !fp32) return not_run(context, "unstructured_pruning");
  struct Row { std::string scope; double target; double actual; const SummaryRow* row; };
  std::vector<Row> rows;
  std::set<std::string> scopes, importances;
  for (const auto& record : result->variants()) {
    const std::string& variant = record.variant;
    if (variant == "fp32") continue;
    const auto& pruning = extra_of(record, "pruning");
    const std::string scope = first_key(pruning, {"scope"}, variant.substr(0, variant.find('_')));
    scopes.insert(scope);
    importances.insert(first_key(pruning, {"importance"}, "未记录"));
    rows.push_back({scope, number_or(pruning, "target_sparsity", 0), number_or(pruning, "actual_sparsity", record.size.sparsity),
                    row_of(context, result->subdir, variant)});
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.scope != b.scope ? a.scope < b.scope : a.target < b.target; });
  std::set<std::string> levels;
  for (const auto& row : rows) levels.insert(percent(row.target));
  auto join = [](const std::set<std::string>& items) {
    std::string text;
    for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
    return text;
  };
  std::string out = "实验设置：\n- 稀疏度级别：[" + join(levels) + "]\n- 剪枝方法：" + join(scopes) + "（global = 全局阈值，local = 逐层阈值）\n- 重要性度量：" +
                    join(importances) + "\n- 剪枝对象：" +
                    pruned_weights_text(result->experiment_extra()) +
                    "\n\n实验结果：\n";
  out += "| 稀疏度 | 准确率 | F1分数 | 实际稀疏度 | 模型大小 (MB) | 性能下降 (%) |\n|--------|--------|--------|-----------|--------------|-------------|\n";
  for (const auto& row : rows) {
    if (!row.row) continue;
    out += "| " + percent(row.target) + "（" + row.scope + "） | " + num(row.row->accuracy, 4) + " | " + num(row.row->f1, 4) + " | " +
           num(row.actual * 100, 1) + "% | " + num(row.row->file_mb, 2) + " | " + drop_percent(fp32->accuracy, row.row->accuracy) + " |\n";
  }
  out += "\nFP32 基线（同一进程）：准确率 " + num(fp32->accuracy, 4) + "，" + num(fp32->file_mb, 2) +
         " MB。模型大小为保存文件的实际字节数（记录的 extra.dense_file_bytes 为同一模型按稠密格式保存的大小）。\n";
  return out;
}

std::string progressive(const ReportContext& context) {
  const auto* result = context.tree.find("progressive_pruning");
  if (!result) return not_run(context, "progressive_pruning");
  const auto history = result->experiment_extra().value("history", nlohmann::json::array());
  const auto& schedule = object_at(result->experiment_extra(), "schedule");
  std::string out = "实验设置：\n";
  // s_i of the schedule (the first iteration already prunes to s_1 > s_i).
  double initial = 0;
  const bool has_initial = number_at(schedule, "initial_sparsity", initial);
  out += "- 初始稀疏度：" + (has_initial ? percent(initial) : std::string("未记录（experiment_extra.schedule.initial_sparsity 缺失）")) +
         (history.empty() ? std::string() : "（第 1 次迭代剪到 " + percent(number_or(history.front(), "target_sparsity", 0)) + "）") + "\n";
  out += "- 最终稀疏度：" + (history.empty() ? std::string("未记录") : percent(number_or(history.back(), "target_sparsity", 0))) + "\n";
  out += "- 迭代次数：" + std::to_string(history.size()) + "（" + first_key(schedule, {"kind"}, "未记录") +
         " 调度，Zhu & Gupta 2017）\n- 每次微调：" + budget_text(object_at(schedule, "fine_tune_per_iteration"), batch_size_of(*result)) +
         "；对照的一次性剪枝共微调 " + budget_text(object_at(schedule, "one_shot_fine_tune"), batch_size_of(*result)) +
         "\n- 稀疏度按可剪权重计：" + pruned_weights_text(result->experiment_extra()) + "（LayerNorm、偏置、pooler、分类头不剪）\n\n实验结果：\n";
  out += "| 迭代 | 目标稀疏度 | 实际稀疏度 | 准确率 | F1分数 |\n|------|----------|-----------|--------|--------|\n";
  for (const auto& step : history) {
    out += "| " + first_key(step, {"iteration"}, "?") + " | " + num(number_or(step, "target_sparsity", 0) * 100, 1) + "% | " +
           num(number_or(step, "actual_sparsity", 0) * 100, 1) + "% | " + num(number_or(step, "accuracy", 0), 4) + " | " +
           num(number_or(step, "f1", 0), 4) + " |\n";
  }
  const auto* final_row = row_of(context, "progressive_pruning", "progressive_final");
  const auto* one_shot = row_of(context, "progressive_pruning", "one_shot");
  if (final_row && one_shot) {
    out += "\n同一最终稀疏度下：渐进式 准确率 " + num(final_row->accuracy, 4) + "（F1 " + num(final_row->f1, 4) + "），一次性剪枝 准确率 " +
           num(one_shot->accuracy, 4) + "（F1 " + num(one_shot->f1, 4) + "）。\n";
  }
  return out;
}

std::string dynamic_quant(const ReportContext& context) {
  const auto rows = rows_of(context, "dynamic_quant");
  if (rows.empty()) return not_run(context, "dynamic_quant");
  const auto* result = context.tree.find("dynamic_quant");
  std::string out = "实验设置：\n- 量化数据类型：INT8（权重对称量化，激活按 batch 动态量化；引擎 " +
                    first_key(result->experiment_extra(), {"engine"}, "未记录") + "）\n- 量化层类型：Linear（编码器 Q/K/V、注意力输出、FFN）\n\n实验结果：\n";
  out += "| 方法 | 准确率 | F1分数 | 模型大小 (MB) | 压缩比 | 推理时间 (ms) | 加速比 |\n|------|--------|--------|--------------|--------|--------------|--------|\n";
  for (const auto& row : rows) {
    out += "| " + row.label + " | " + row.accuracy_text() + " | " + num(row.f1, 4) + " | " + num(row.file_mb, 2) + " | " +
           num(row.compression, 2) + "x | " + num(row.latency_ms, 3) + " | " + row.speedup_text() + " |\n";
  }
  return out + "\n" + kSpeedNote + "\n";
}

std::string static_quant(const ReportContext& context) {
  const auto* result = context.tree.find("static_quant");
  if (!result) return not_run(context, "static_quant");
  std::set<std::string> calibration, setups;
  for (const auto& record : result->variants()) {
    const auto& quant = extra_of(record, "quantization");
    if (quant.empty()) continue;
    calibration.insert(first_key(quant, {"calibration_samples"}, "未记录"));
    setups.insert(first_key(quant, {"observer"}, "?") + " / " + first_key(quant, {"granularity"}, "?"));
  }
  auto join = [](const std::set<std::string>& items) {
    std::string text;
    for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
    return text.empty() ? std::string("未记录") : text;
  };
  std::string out = "实验设置：\n- 校准样本数：" + join(calibration) + "\n- 量化配置：" + join(setups) + "（观察器 / 粒度）\n\n实验结果：\n";
  out += "| 方法 | 准确率 | F1分数 | 模型大小 (MB) | 压缩比 |\n|------|--------|--------|--------------|--------|\n";
  for (const auto& row : rows_of(context, "static_quant")) {
    out += "| " + row.label + " | " + row.accuracy_text() + " | " + num(row.f1, 4) + " | " + num(row.file_mb, 2) + " | " +
           num(row.compression, 2) + "x |\n";
  }
  return out;
}

std::string qat(const ReportContext& context) {
  const auto* result = context.tree.find("qat");
  if (!result) return not_run(context, "qat");
  const auto* qat_record = result->variant("int8_qat");
  const nlohmann::json no_record = nlohmann::json::object();
  const auto& qat_extra = qat_record ? qat_record->extra : no_record;
  const auto& extra = result->experiment_extra();
  std::string freeze = "未记录（experiment_extra.observers_frozen_at_step 缺失）";
  double frozen = 0, total = 0;
  if (number_at(extra, "observers_frozen_at_step", frozen) && number_at(extra, "total_optimizer_steps", total) && total > 0) {
    freeze = "第 " + num(frozen, 0) + " / " + num(total, 0) + " 个优化器步（" + num(frozen / total * 100.0, 0) + "%）";
  }
  double step_budget = 0;
  const std::string budget = number_at(qat_extra, "steps_budget", step_budget) && step_budget > 0
                                 ? "（只训练 " + num(step_budget, 0) + " 个优化器步：quantization.steps，训练集的种子随机样本）"
                                 : "";
  std::string out = "实验设置：\n- 训练 epochs：" + first_key(qat_extra, {"epochs"}, "未记录（int8_qat 行的 extra.epochs 缺失）") + budget +
                    "\n- 学习率：" + first_key(qat_extra, {"learning_rate"}, "未记录（int8_qat 行的 extra.learning_rate 缺失）") +
                    "\n- 是否冻结 BN 统计：BERT 不含 BatchNorm（使用 LayerNorm），不适用；激活观察器在 " + freeze +
                    "冻结，此后量化范围固定\n\n实验结果：\n";
  out += "| 方法 | 准确率 | F1分数 | 模型大小 (MB) | 训练时间 |\n|------|--------|--------|--------------|---------|\n";
  const auto* baseline = context.tree.find("baseline");
  for (const auto& row : rows_of(context, "qat")) {
    const auto* record = result->variant(row.variant);
    double seconds = 0;
    std::string time = "无训练（训练后量化）";
    if (record && number_at(record->extra, "training_time_s", seconds)) {
      time = num(seconds, 1) + " s";
    } else if (row.variant == "fp32" && baseline && number_at(baseline->record.primary.extra, "training.train_seconds", seconds)) {
      time = num(seconds, 1) + " s（基线训练）";
    }
    out += "| " + row.label + " | " + row.accuracy_text() + " | " + num(row.f1, 4) + " | " + num(row.file_mb, 2) + " | " + time + " |\n";
  }
  return out;
}

std::string combined_order(const ReportContext& context, const std::string& order, bool prune_first) {
  const auto* result = context.tree.find("combined");
  if (!result) return not_run(context, "combined");
  const auto& extra = result->experiment_extra();
  const auto& orders = object_at(extra, "orders");
  const auto& entry = object_at(orders, order.c_str());
  if (entry.empty()) return "未记录：" + (result->dir / "metrics.json").string() + " 的 experiment_extra.orders 中没有 " + order;
  const auto& config = config_section(*result, "pruning");
  const std::string sparsity = first_key(entry, {"pruning_sparsity", "sparsity"},
                                         first_key(extra, {"pruning_sparsity", "sparsity"}, first_key(config, {"target_sparsity", "sparsity"}, "未记录")));
  const std::string quant = first_key(entry, {"quantization", "quantization_method"},
                                      first_key(extra, {"quantization", "quantization_method"}, "INT8"));
  std::string out = "实验设置：\n" + std::string(prune_first ? "- 剪枝稀疏度：" + sparsity + "\n- 量化方法：" + quant
                                                          : "- 量化方法：" + quant + "\n- 剪枝稀疏度：" + sparsity) + "\n\n实验结果：\n";
  out += "| 阶段 | 准确率 | F1分数 | 模型大小 (MB) |\n|------|--------|--------|--------------|\n";
  for (const auto& stage : entry.value("stages", nlohmann::json::array())) {
    out += "| " + first_key(stage, {"stage"}, "?") + " | " + num(number_or(stage, "accuracy", 0), 4) + " | " +
           num(number_or(stage, "f1", 0), 4) + " | " + num(number_or(stage, "file_mb", 0), 2) + " |\n";
  }
  double total = 0;
  out += "\n**总压缩比**：" + (number_at(entry, "total_compression", total) ? num(total, 2) + "x" : std::string("未记录"));
  return out;
}

}  // namespace

void add_experiment_sections(SectionWriters& writers) {
  writers["4.1.1 结构化剪枝"] = structured;
  writers["4.1.2 非结构化剪枝"] = unstructured;
  writers["4.1.3 渐进式剪枝"] = progressive;
  writers["4.2.1 动态量化"] = dynamic_quant;
  writers["4.2.2 静态量化"] = static_quant;
  writers["4.2.3 量化感知训练"] = qat;
  writers["先剪枝后量化"] = [](const ReportContext& c) { return combined_order(c, "prune_then_quantize", true); };
  writers["先量化后剪枝"] = [](const ReportContext& c) { return combined_order(c, "quantize_then_prune", false); };
}

}  // namespace tpq::report
