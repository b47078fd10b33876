// Lab report sections 五 (figures, best configurations) and 六 (analysis): findings stated from
// the recorded numbers, each with the rule behind it.
#include <algorithm>
#include <map>

#include "report_analysis.h"

namespace tpq::report {
namespace {

std::string comparison_figure(const ReportContext& context, const std::string& file, const std::string& caption) {
  return figure(context, context.tree.root / "comparison" / file, caption, "10_comprehensive_comparison");
}

std::string figures(const ReportContext& context) {
  std::string out = "1. **稀疏度 vs 准确率**\n   " + comparison_figure(context, "sparsity_vs_accuracy.png", "稀疏度 vs 准确率") + "\n   - " +
                    collapse_finding(context) + "\n\n";
  out += "2. **模型大小 vs 准确率**\n   " + comparison_figure(context, "accuracy_vs_size.png", "模型大小 vs 准确率") +
         "\n   - 帕累托最优（准确率越高、模型越小越好，红色折线）：";
  for (std::size_t k = 0; k < context.pareto.size(); ++k) {
    const auto& row = context.rows[context.pareto[k]];
    out += (k ? "；" : "") + row.label + "（" + num(row.accuracy, 4) + "，" + num(row.file_mb, 2) + " MB）";
  }
  out += "\n\n3. **各方法性能对比柱状图**\n   " + comparison_figure(context, "accuracy_comparison.png", "准确率与 F1 对比") + "\n   " +
         comparison_figure(context, "size_comparison.png", "模型大小与压缩比对比") + "\n   " +
         comparison_figure(context, "speed_comparison.png", "推理延迟与加速比对比") + "\n   " +
         comparison_figure(context, "radar.png", "归一化雷达图") +
         "\n   - 准确率柱与稀疏度曲线上的误差线为 ±1 个标准误（按测试样本数的二项分布计算）；两个变体的差小于误差线时，"
         "这个差在噪声之内（同一测试集上的配对比较见各实验小节）。\n\n";
  out += "4. **渐进式剪枝进度图**\n   " + comparison_figure(context, "progressive_pruning.png", "渐进式剪枝进度") + "\n   - " +
         progressive_finding(context) + "\n\n";
  out += "5. **bert-base 形状的速度与大小**（随机权重：只测速度和大小，不含准确率）\n\n" + bert_base_bench_section(context) + "\n\n";
  out += "6. **部署：导出为 ONNX，在 ONNX Runtime 中运行**（同上的 bert-base 形状与随机权重）\n\n" + deploy_section(context) + "\n\n";
  out += "总览：" + comparison_figure(context, "dashboard.png", "总览");
  return out;
}

std::string best(const ReportContext& context) {
  return "根据实验结果，总结最佳配置（候选为全部压缩变体，规则写在每项之后）：\n\n" + best_configs_markdown(context.rows, context.best);
}

std::string pruning_analysis(const ReportContext& context) {
  std::string out = "**结构化剪枝**：\n- 注意力头剪枝的效果如何？" + head_finding(context) + "\n- 哪些层的头更重要？" +
                    surviving_heads_finding(context) + "\n- FFN 剪枝的影响如何？" + ffn_finding(context) + "\n\n";
  out += "**非结构化剪枝**：\n- 不同稀疏度的性能变化趋势：" + sparsity_trend_finding(context) + "\n- 是否存在性能崩溃的拐点？" +
         collapse_finding(context) + "\n- 全局剪枝 vs 局部剪枝的对比：" + global_local_finding(context) + "\n\n";
  out += "**渐进式剪枝**：\n- 相比一次性剪枝的优势：" + progressive_finding(context) + "\n- 迭代次数的选择：" +
         iterations_finding(context) + "\n- 性能恢复情况：" + recovery_finding(context);
  return out;
}

std::string quantization_analysis(const ReportContext& context) {
  std::string out = "**动态量化 vs 静态量化**：\n- 性能对比：" + static_dynamic_finding(context) +
                    "\n- 适用场景分析：动态量化无需校准数据、只改权重，适合 CPU 上延迟受 Linear 主导的服务；静态量化需要代表性校准集，"
                    "激活也预先量化，适合输入分布稳定、追求更低延迟的部署。\n\n";
  out += "**量化感知训练**：\n- 相比 PTQ 的改进：" + qat_finding(context) + "\n- 额外训练成本是否值得？" + qat_cost_finding(context) + "\n\n";
  out += "**量化对不同层的影响**：\n- 哪些层对量化更敏感？" + sensitivity_finding(context) + "\n- 混合精度的必要性：" +
         mixed_finding(context);
  return out;
}

std::string combined_analysis(const ReportContext& context) {
  const auto limit = best_configs(context.rows, 5.0);
  std::string out = "**先剪枝后量化 vs 先量化后剪枝**：\n- 哪种策略更优？" + order_finding(context) +
                    "\n- 原因分析：" + order_reason_finding(context) + "\n\n";
  out += "**压缩极限**：\n- 在保持可接受性能下的最大压缩比：" +
         (context.best.best_compression.row
              ? "准确率下降 ≤ 1 个百分点时为 " + num(context.rows[*context.best.best_compression.row].compression, 2) + "x（" +
                    context.rows[*context.best.best_compression.row].label + "）"
              : std::string("没有压缩变体的准确率下降 ≤ 1 个百分点")) +
         (limit.best_compression.row ? "；放宽到 ≤ 5 个百分点时为 " + num(context.rows[*limit.best_compression.row].compression, 2) +
                                           "x（" + context.rows[*limit.best_compression.row].label + "）"
                                     : std::string("；放宽到 ≤ 5 个百分点仍无满足条件的变体")) +
         "\n- 性能-效率的权衡点：" +
         (context.best.best_tradeoff.row ? context.rows[*context.best.best_tradeoff.row].label + "，压缩比 " +
                                               num(context.rows[*context.best.best_tradeoff.row].compression, 2) + "x × 加速比 " +
                                               context.rows[*context.best.best_tradeoff.row].speedup_text() + "（规则：" +
                                               context.best.best_tradeoff.rule + "）"
                                         : "无满足“准确率下降 ≤ 1 个百分点”且有测得加速比的变体");
  return out;
}

}  // namespace

void add_analysis_sections(SectionWriters& writers) {
  writers["5.1 性能对比图表"] = figures;
  writers["5.2 最佳配置"] = best;
  writers["6.1 剪枝分析"] = pruning_analysis;
  writers["6.2 量化分析"] = quantization_analysis;
  writers["6.3 组合策略分析"] = combined_analysis;
  add_closing_sections(writers);
}

}  // namespace tpq::report
