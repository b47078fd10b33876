// One-sentence findings for the lab report's analysis, computed from recorded numbers only.
#include <algorithm>
#include <cmath>
#include <map>

#include "report_analysis.h"

namespace tpq::report {
namespace {

double points(double value) { return value * 100.0; }

std::string pp(double fraction_difference) { return num(points(fraction_difference), 2) + " 个百分点"; }

// Rows of `subdir` whose variant starts with `prefix`, excluding fp32.
std::vector<SummaryRow> rows_with_prefix(const ReportContext& context, const std::string& subdir, const std::string& prefix) {
  std::vector<SummaryRow> picked;
  for (const auto& row : rows_of(context, subdir)) {
    if (row.variant != "fp32" && row.variant.rfind(prefix, 0) == 0) picked.push_back(row);
  }
  return picked;
}

double target_of(const ReportContext& context, const SummaryRow& row) {
  const auto* result = context.tree.find(row.experiment);
  const auto* record = result ? result->variant(row.variant) : nullptr;
  double target = row.sparsity;
  if (record) number_at(record->extra, "pruning.target_sparsity", target);
  return target;
}

std::string pct(double fraction) { return num(points(fraction), 0) + "%"; }

double number_or_zero(const nlohmann::json& json, const std::string& path) {
  double value = 0;
  number_at(json, path, value);
  return value;
}

}  // namespace

// The test-set size behind an experiment's FP32 row (sum of its confusion matrix), or 0.
double test_examples(const ReportContext& context, const std::string& subdir) {
  const auto* result = context.tree.find(subdir);
  const auto* record = result ? result->variant("fp32") : nullptr;
  if (!record) return 0;
  double total = 0;
  for (const auto& row : record->metrics.confusion_matrix) {
    for (const auto cell : row) total += static_cast<double>(cell);
  }
  return total;
}

namespace {

// "（<lead><se>；差距小于/超过 2 倍<yardstick>…）": whether `difference` is outside two standard errors.
std::string significance_note(const std::string& lead, const std::string& yardstick, double standard_error, double difference) {
  return "（" + lead + pp(standard_error) + "；差距" +
         (std::abs(difference) < 2.0 * standard_error ? "小于 2 倍" + yardstick + "，不足以区分两者" : "超过 2 倍" + yardstick) + "）";
}

}  // namespace

// "（N 条测试样本上准确率的标准误约 X 个百分点；差距小于 2 倍标准误，不足以区分两者）"
std::string noise_note(const ReportContext& context, const std::string& subdir, double difference) {
  const double n = test_examples(context, subdir);
  const auto* fp32 = row_of(context, subdir, "fp32");
  if (n <= 0 || !fp32) return "";
  const double p = fp32->accuracy;
  return significance_note(num(n, 0) + " 条测试样本上准确率的标准误约 ", "标准误", std::sqrt(p * (1.0 - p) / n), difference);
}

std::string head_finding(const ReportContext& context) {
  const auto* fp32 = row_of(context, "structured_pruning", "fp32");
  if (!fp32) return not_run(context, "structured_pruning");
  std::string out;
  for (const auto& row : rows_with_prefix(context, "structured_pruning", "heads_")) {
    if (row.variant.find("ffn") != std::string::npos) continue;
    out += std::string(out.empty() ? "" : "；") + "剪 " + row.label + " 个头：准确率 " + num(row.accuracy, 4) + "（比 FP32 低 " + pp(fp32->accuracy - row.accuracy) +
           "，模型 " + num(row.file_mb, 2) + " MB）";
  }
  return out.empty() ? "结果中没有注意力头剪枝变体" : out + "。";
}

std::string surviving_heads_finding(const ReportContext& context) {
  const auto* result = context.tree.find("structured_pruning");
  if (!result) return not_run(context, "structured_pruning");
  const auto& extra = result->experiment_extra();
  if (!extra.contains("surviving_heads")) return "未记录（experiment_extra.surviving_heads 缺失）";
  const auto& heads = extra["surviving_heads"];
  std::string out;
  auto describe = [&](const std::string& layer, const nlohmann::json& kept) {
    const std::string count = kept.is_array() ? std::to_string(kept.size()) : inline_value(kept);
    out += (out.empty() ? "" : "，") + std::string("第 ") + layer + " 层保留 " + count + " 个";
  };
  if (heads.is_array()) {
    for (std::size_t layer = 0; layer < heads.size(); ++layer) describe(std::to_string(layer), heads[layer]);
  } else if (heads.is_object()) {
    for (const auto& [layer, kept] : heads.items()) {
      if (kept.is_array() || kept.is_number()) describe(layer, kept);
    }
  }
  if (out.empty()) out = heads.dump().substr(0, 300);
  return "按重要性保留的头（experiment_extra.surviving_heads）：" + out + "；保留得多的层，其头对分类更重要（热力图见附录 C）。";
}

std::string ffn_finding(const ReportContext& context) {
  const auto* fp32 = row_of(context, "structured_pruning", "fp32");
  if (!fp32) return not_run(context, "structured_pruning");
  std::string out;
  for (const auto& row : rows_with_prefix(context, "structured_pruning", "ffn_")) {
    out += (out.empty() ? "" : "；") + row.label + " 准确率 " + num(row.accuracy, 4) + "（下降 " + pp(fp32->accuracy - row.accuracy) +
           "），模型 " + num(row.file_mb, 2) + " MB（压缩 " + num(row.compression, 2) + "x）";
  }
  return out.empty() ? "结果中没有 FFN 剪枝变体" : out + "。";
}

std::string sparsity_trend_finding(const ReportContext& context) {
  if (!context.tree.find("unstructured_pruning")) return not_run(context, "unstructured_pruning");
  std::string out;
  for (const char* scope : {"global_", "local_"}) {
    auto rows = rows_with_prefix(context, "unstructured_pruning", scope);
    std::sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) { return target_of(context, a) < target_of(context, b); });
    if (rows.empty()) continue;
    out += (out.empty() ? "" : "；") + std::string(scope).substr(0, std::string(scope).size() - 1) + "：";
    for (std::size_t i = 0; i < rows.size(); ++i) out += (i ? " → " : "") + pct(target_of(context, rows[i])) + " " + num(rows[i].accuracy, 4);
  }
  return out.empty() ? "结果中没有 global_/local_ 变体" : "准确率随目标稀疏度变化 " + out + "。";
}

std::string collapse_finding(const ReportContext& context) {
  const auto* fp32 = row_of(context, "unstructured_pruning", "fp32");
  if (!fp32) return not_run(context, "unstructured_pruning");
  std::string out;
  for (const char* scope : {"global_", "local_"}) {
    auto rows = rows_with_prefix(context, "unstructured_pruning", scope);
    if (rows.empty()) continue;
    std::sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) { return target_of(context, a) < target_of(context, b); });
    const auto collapse = std::find_if(rows.begin(), rows.end(), [&](const auto& r) { return fp32->accuracy - r.accuracy > 0.05; });
    const std::string name = std::string(scope).substr(0, std::string(scope).size() - 1);
    out += (out.empty() ? "" : "；") + (collapse == rows.end()
                                           ? name + " 在测到的最高稀疏度 " + pct(target_of(context, rows.back())) + " 仍未崩溃（准确率 " +
                                                 num(rows.back().accuracy, 4) + "）"
                                           : name + " 在稀疏度 " + pct(target_of(context, *collapse)) + " 处崩溃（准确率 " +
                                                 num(collapse->accuracy, 4) + "，比 FP32 低 " + pp(fp32->accuracy - collapse->accuracy) + "）");
  }
  return (out.empty() ? std::string("结果中没有 global_/local_ 变体") : out) + "（规则：准确率比同一进程的 FP32 低 5 个百分点以上即视为崩溃）。";
}

std::string global_local_finding(const ReportContext& context) {
  if (!context.tree.find("unstructured_pruning")) return not_run(context, "unstructured_pruning");
  std::map<long, std::pair<const SummaryRow*, const SummaryRow*>> by_target;
  const auto global = rows_with_prefix(context, "unstructured_pruning", "global_");
  const auto local = rows_with_prefix(context, "unstructured_pruning", "local_");
  for (const auto& row : global) by_target[std::lround(target_of(context, row) * 1000)].first = &row;
  for (const auto& row : local) by_target[std::lround(target_of(context, row) * 1000)].second = &row;
  std::string out;
  int global_wins = 0, compared = 0;
  for (const auto& [target, pair] : by_target) {
    if (!pair.first || !pair.second) continue;
    ++compared;
    global_wins += pair.first->accuracy > pair.second->accuracy ? 1 : 0;
    out += (out.empty() ? "" : "；") + pct(static_cast<double>(target) / 1000.0) + "：全局 " + num(pair.first->accuracy, 4) + " / 局部 " +
           num(pair.second->accuracy, 4);
  }
  if (compared == 0) return "没有全局与局部在同一稀疏度下的成对结果（quick 配置只跑全局剪枝；default 配置或 `--scope both` 两者都跑）";
  return out + "。在 " + std::to_string(compared) + " 个共同稀疏度中全局剪枝准确率更高的有 " + std::to_string(global_wins) + " 个。";
}

std::string progressive_finding(const ReportContext& context) {
  const auto* final_row = row_of(context, "progressive_pruning", "progressive_final");
  const auto* one_shot = row_of(context, "progressive_pruning", "one_shot");
  if (!context.tree.find("progressive_pruning")) return not_run(context, "progressive_pruning");
  if (!final_row || !one_shot) return "结果缺少 progressive_final 或 one_shot 变体";
  const double diff = final_row->accuracy - one_shot->accuracy;
  return "同一最终稀疏度下渐进式准确率 " + num(final_row->accuracy, 4) + "，一次性剪枝 " + num(one_shot->accuracy, 4) + "，渐进式" +
         (diff >= 0 ? "高 " : "低 ") + pp(std::abs(diff)) + "。" + noise_note(context, "progressive_pruning", diff);
}

std::string iterations_finding(const ReportContext& context) {
  const auto* result = context.tree.find("progressive_pruning");
  if (!result) return not_run(context, "progressive_pruning");
  const auto history = result->experiment_extra().value("history", nlohmann::json::array());
  if (history.empty()) return "未记录（experiment_extra.history 为空）";
  double first = 0, last = 0, best = -1, best_iteration = 0;
  number_at(history.front(), "accuracy", first);
  number_at(history.back(), "accuracy", last);
  for (const auto& step : history) {
    double accuracy = 0, iteration = 0;
    if (number_at(step, "accuracy", accuracy) && accuracy > best) {
      best = accuracy;
      number_at(step, "iteration", iteration);
      best_iteration = iteration;
    }
  }
  return "共 " + std::to_string(history.size()) + " 次迭代，准确率从第 1 次的 " + num(first, 4) + " 变为最后一次的 " + num(last, 4) +
         "，最高 " + num(best, 4) + "（第 " + num(best_iteration, 0) + " 次）；每次迭代稀疏度增幅越小，每步损失越容易被微调恢复，但总训练时间随迭代次数线性增加。";
}

std::string recovery_finding(const ReportContext& context) {
  const auto* fp32 = row_of(context, "progressive_pruning", "fp32");
  const auto* final_row = row_of(context, "progressive_pruning", "progressive_final");
  if (!context.tree.find("progressive_pruning")) return not_run(context, "progressive_pruning");
  if (!fp32 || !final_row) return "结果缺少 fp32 或 progressive_final 变体";
  const auto history = context.tree.find("progressive_pruning")->experiment_extra().value("history", nlohmann::json::array());
  double encoder_sparsity = 0;
  const bool has_encoder = !history.empty() && number_at(history.back(), "actual_sparsity", encoder_sparsity);
  const std::string pruned = pruned_weights_text(context.tree.find("progressive_pruning")->experiment_extra());
  return "最终模型（" + (has_encoder ? "可剪权重（" + pruned + "）稀疏度 " + num(encoder_sparsity * 100, 1) + "%，" : std::string()) + "全部参数稀疏度 " +
         num(final_row->sparsity * 100, 1) + "%）准确率 " + num(final_row->accuracy, 4) + "，相对 FP32 " +
         num(fp32->accuracy, 4) + (final_row->accuracy >= fp32->accuracy ? " 完全恢复（不低于基线）。" : " 仍低 " + pp(fp32->accuracy - final_row->accuracy) + "。");
}

std::string static_dynamic_finding(const ReportContext& context) {
  const auto dynamic = rows_with_prefix(context, "dynamic_quant", "int8");
  const auto statics = rows_with_prefix(context, "static_quant", "int8");
  if (dynamic.empty()) return not_run(context, "dynamic_quant");
  if (statics.empty()) return not_run(context, "static_quant");
  const auto best_dynamic = *std::max_element(dynamic.begin(), dynamic.end(), [](auto& a, auto& b) { return a.accuracy < b.accuracy; });
  const auto best_static = *std::max_element(statics.begin(), statics.end(), [](auto& a, auto& b) { return a.accuracy < b.accuracy; });
  auto describe = [](const SummaryRow& row) {
    return row.label + "：准确率 " + num(row.accuracy, 4) + "（下降 " + pp(row.accuracy_drop_points / 100.0) + "），" + num(row.file_mb, 2) +
           " MB，p50 " + (row.latency_ms > 0 ? num(row.latency_ms, 3) + " ms（加速 " + row.speedup_text() + "）" : std::string("未记录"));
  };
  return "最好的动态量化 " + describe(best_dynamic) + "；最好的静态量化 " + describe(best_static) + "；准确率差 " +
         pp(best_static.accuracy - best_dynamic.accuracy) + "（静态 − 动态）。";
}

std::string qat_finding(const ReportContext& context) {
  const auto* qat = row_of(context, "qat", "int8_qat");
  const auto* ptq = row_of(context, "qat", "int8_static_ptq");
  const auto* result = context.tree.find("qat");
  if (!result) return not_run(context, "qat");
  if (!qat || !ptq) return "结果缺少 int8_qat 或 int8_static_ptq 变体";
  const double difference = qat->accuracy - ptq->accuracy;
  // Same test examples for both rows: the paired standard error (04 records it) is the sharper yardstick.
  double paired_se = 0;
  const bool paired = number_at(result->experiment_extra(), "qat_vs_ptq.standard_error", paired_se) && paired_se > 0;
  const std::string note = paired ? significance_note("同一批测试样本上的配对标准误 ", "配对标准误", paired_se, difference)
                                  : noise_note(context, "qat", difference);
  return qat->label + " 准确率 " + num(qat->accuracy, 4) + "，同设置的 " + ptq->label + " " + num(ptq->accuracy, 4) + "，QAT " +
         (difference >= 0 ? "高 " : "低 ") + pp(std::abs(difference)) + "。" + note;
}

std::string qat_cost_finding(const ReportContext& context) {
  const auto* result = context.tree.find("qat");
  if (!result) return not_run(context, "qat");
  const auto* record = result->variant("int8_qat");
  double seconds = 0;
  if (!record || !number_at(record->extra, "training_time_s", seconds)) return "未记录 QAT 训练时间（extra.training_time_s）";
  const auto* qat = row_of(context, "qat", "int8_qat");
  const auto* ptq = row_of(context, "qat", "int8_static_ptq");
  const double gain = qat && ptq ? points(qat->accuracy - ptq->accuracy) : 0;
  return "QAT 额外训练 " + num(seconds, 1) + " s，换来 " + num(gain, 2) + " 个百分点；" +
         (gain >= 0.5 ? "在准确率要求严格时值得。" : "收益不足 0.5 个百分点，PTQ 已足够时不值得。");
}

std::string sensitivity_finding(const ReportContext& context) {
  const auto* result = context.tree.find("mixed_precision");
  if (!result) return not_run(context, "mixed_precision");
  const auto sensitivity = result->experiment_extra().value("sensitivity", nlohmann::json::array());
  if (sensitivity.empty()) return "未记录（experiment_extra.sensitivity 为空）";
  double largest_drop = 0;
  for (const auto& entry : sensitivity) largest_drop = std::max(largest_drop, std::abs(number_or_zero(entry, "accuracy_drop")));
  // With no accuracy change at all, the loss change is the only signal left: say so and rank by it.
  const bool by_loss = largest_drop < 1e-9;
  auto ranked = std::vector<nlohmann::json>(sensitivity.begin(), sensitivity.end());
  if (by_loss) {
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
      return std::abs(number_or_zero(a, "loss_change")) > std::abs(number_or_zero(b, "loss_change"));
    });
  }
  std::string out = by_loss ? "单独把任何一个模块量化为 INT8 都没有改变验证切片上的准确率（" + std::to_string(sensitivity.size()) +
                                  " 个模块，最大下降 0.00 个百分点），这个模型对 INT8 不敏感；验证损失变化（绝对值）最大的是 "
                            : std::string("逐模块单独量化为 INT8 时准确率下降最多的是 ");
  for (std::size_t i = 0; i < ranked.size() && i < 3; ++i) {
    out += (i ? "、" : "") + first_key(ranked[i], {"module"}, "未记录模块名");
    out += by_loss ? "（损失变化 " + num(number_or_zero(ranked[i], "loss_change"), 5) + "）"
                   : "（下降 " + pp(number_or_zero(ranked[i], "accuracy_drop")) + "）";
  }
  return out + "（见附录 C 的敏感度图）。";
}

std::string mixed_finding(const ReportContext& context) {
  const auto* result = context.tree.find("mixed_precision");
  if (!result) return not_run(context, "mixed_precision");
  const auto* int8 = row_of(context, "mixed_precision", "int8");
  const auto* mixed = row_of(context, "mixed_precision", "mixed");
  const auto keep = result->experiment_extra().value("keep_fp32", nlohmann::json::array());
  if (!int8 || !mixed) return "结果缺少 int8 或 mixed 变体";
  return "保持 FP32 的模块 " + inline_value(keep) + "；全 INT8 准确率 " + num(int8->accuracy, 4) + "（" + num(int8->file_mb, 2) +
         " MB），混合精度 " + num(mixed->accuracy, 4) + "（" + num(mixed->file_mb, 2) + " MB）：混合精度以 " +
         num(mixed->file_mb - int8->file_mb, 2) + " MB 换回 " + pp(mixed->accuracy - int8->accuracy) + "。";
}

std::string order_finding(const ReportContext& context) {
  const auto* result = context.tree.find("combined");
  if (!result) return not_run(context, "combined");
  const auto& orders = result->experiment_extra().value("orders", nlohmann::json::object());
  auto summary = [&](const char* key, const char* name) {
    if (!orders.contains(key)) return std::string(name) + " 未记录";
    const auto stages = orders[key].value("stages", nlohmann::json::array());
    double total = 0, accuracy = 0;
    number_at(orders[key], "total_compression", total);
    if (!stages.empty()) number_at(stages.back(), "accuracy", accuracy);
    return std::string(name) + " 最终准确率 " + num(accuracy, 4) + "，总压缩比 " + num(total, 2) + "x";
  };
  double margin = 0;
  const bool has_margin = number_at(orders, "winner_margin", margin);  // recorded in percentage points
  return summary("prune_then_quantize", "先剪枝后量化") + "；" + summary("quantize_then_prune", "先量化后剪枝") + "；胜者：" +
         first_key(orders, {"winner"}, "未记录") + (has_margin ? "，差距 " + num(margin, 2) + " 个百分点" : std::string()) + "。" +
         (has_margin ? noise_note(context, "combined", margin / 100.0) : std::string());
}

std::string order_reason_finding(const ReportContext& context) {
  const auto* result = context.tree.find("combined");
  if (!result) return not_run(context, "combined");
  const auto& orders = result->experiment_extra().value("orders", nlohmann::json::object());
  std::string out;
  for (const auto& [key, name] : {std::pair<const char*, const char*>{"prune_then_quantize", "先剪枝后量化"},
                                  std::pair<const char*, const char*>{"quantize_then_prune", "先量化后剪枝"}}) {
    if (!orders.contains(key)) continue;
    const auto stages = orders[key].value("stages", nlohmann::json::array());
    std::string steps;
    for (std::size_t i = 1; i < stages.size(); ++i) {
      const double change = number_or_zero(stages[i], "accuracy") - number_or_zero(stages[i - 1], "accuracy");
      steps += (steps.empty() ? "" : "，") + first_key(stages[i], {"stage"}, "第 " + std::to_string(i) + " 阶段") + " " +
               (change >= 0 ? "+" : "") + num(points(change), 2);
    }
    if (!steps.empty()) out += (out.empty() ? "" : "；") + std::string(name) + "：" + steps;
  }
  if (out.empty()) return "未记录（experiment_extra.orders 中没有阶段数据）";
  out = "各阶段准确率变化（百分点）" + out + "。两种顺序剪掉同样数量的头和 FFN 神经元、量化方法相同；先剪枝时剪枝模型在 FP32 下微调（" +
        first_key(orders.value("prune_then_quantize", nlohmann::json::object()), {"fine_tuning"}, "未记录") +
        "），先量化时 INT8 权重不能训练，剪枝后没有恢复训练";
  double unrecovered = 0;
  if (orders.contains("prune_then_quantize") &&
      number_at(orders["prune_then_quantize"], "without_fine_tuning.accuracy", unrecovered)) {
    out += "；对照：同样的 FP32 剪枝不微调直接量化，准确率 " + num(unrecovered, 4) + "，这一行分离出了顺序本身（而非微调）的影响";
  }
  return out + "。";
}

}  // namespace tpq::report
