// Lab report sections 七 (problems met), 八 (summary), 九 (references) and 十 (appendix).
#include <cmath>

#include "report_analysis.h"

namespace tpq::report {
namespace {

std::string problem_one(const ReportContext& context) {
  const auto* baseline = context.tree.find("baseline");
  const auto& source = baseline ? baseline->record.primary.provenance.model_source : nlohmann::json();
  if (source.is_object() && source.value("kind", "") == "pretrained") {
    return "**问题描述**：课程指南从 Hugging Face Hub 上的预训练模型出发，而计算节点或开发机常常不能联网；C++ 侧也没有现成的 Hub 客户端。\n\n"
           "**解决方案**：tpq 用 libcurl 实现 Hub 的文件协议（HEAD 取提交与 ETag、LFS 重定向、断点续传、边下边校验 sha256），"
           "缓存布局与 Python 的 huggingface_hub 完全相同；本次基线微调自 " + first_key(source, {"id"}, "?") + "（提交 " +
           first_key(source, {"commit"}, "本地目录") + "），可在联网机器上先 `tpq download` 再设 HF_HUB_OFFLINE=1 离线运行。\n\n"
           "**经验教训**：预训练模型的版本必须记录到提交哈希，否则同名模型更新后结果无法复现；每个 metrics.json 都记录 model_source。";
  }
  return "**问题描述**：本次基线没有使用预训练权重（未给出 --model / model.pretrained），也不依赖 Python/transformers。\n\n"
         "**解决方案**：用 C++/LibTorch 实现与 HF 参数命名一致的 BERT，在训练集上训练 sentencepiece 词表并从头训练小型 BERT；"
         "提供本地 HF 检查点时可直接加载微调。实现与 HF 参考输出（tests 中的 fixture）逐 token、logits 误差 1e-4 以内对齐。\n\n"
         "**经验教训**：压缩实验的结论依赖基线本身的容量；从头训练的小模型冗余更少，剪枝与量化的损失会比 BERT-base 更明显。";
}

std::string problem_two(const ReportContext&) {
  return "**问题描述**：Debian 的 LibTorch 不含 fbgemm 量化引擎，且若系统 BLAS 指向参考实现，FP32 矩阵乘约慢 50 倍，所有加速比都会失真。\n\n"
         "**解决方案**：量化使用 onednn / qnnpack 引擎（quantized::linear_dynamic 等通过 c10::Dispatcher 调用）；每次计时前检测 sgemm_ "
         "实际来自哪个库，参考 BLAS 下拒绝计时（除非 --allow-slow-blas），setup.sh 安装并切换到 OpenBLAS。\n\n"
         "**经验教训**：性能数字必须连同其运行环境（BLAS、线程数、CPU）一起记录，每个 metrics.json 都带有这些字段。";
}

std::string summary(const ReportContext& context) {
  std::string out = "1. **实验收获**：\n   - 对剪枝技术的理解：结构化剪枝（头、FFN 神经元）直接缩小矩阵、减少文件与计算；非结构化剪枝只产生稀疏，"
                    "需要稀疏存储或稀疏内核才能变成实际的大小/速度收益。\n"
                    "   - 对量化技术的理解：INT8 权重使 Linear 权重约缩小 4 倍；动态量化免校准，静态量化需校准集，QAT 用伪量化训练弥补误差。\n"
                    "   - 对模型压缩的整体认识：准确率、大小、延迟需在同一进程、同一数据上成对测量，比值才可信。\n\n";
  out += "2. **关键发现**：\n";
  const std::vector<std::pair<std::string, std::string>> findings = {
      {"dynamic_quant", static_dynamic_finding(context)}, {"unstructured_pruning", collapse_finding(context)},
      {"progressive_pruning", progressive_finding(context)}, {"mixed_precision", sensitivity_finding(context)},
      {"combined", order_finding(context)}};
  int shown = 0;
  for (const auto& [subdir, text] : findings) {
    if (!context.tree.find(subdir) || text.rfind("未运行", 0) == 0) continue;
    out += "   - " + text + "\n";
    ++shown;
  }
  if (context.best.best_tradeoff.row) {
    const auto& row = context.rows[*context.best.best_tradeoff.row];
    out += "   - 最佳权衡：" + row.label + "，压缩 " + num(row.compression, 2) + "x、加速 " + row.speedup_text() + "，准确率下降 " +
           num(row.accuracy_drop_points, 2) + " 个百分点。\n";
    ++shown;
  }
  if (shown == 0) out += "   - 已完成的实验不足以给出跨实验发现（见第五节各表的“未运行”说明）。\n";
  out += "\n3. **最佳实践**：\n   - 先确定可接受的准确率下降（本报告取 1 个百分点），再在满足条件的配置中按压缩比 × 加速比选型；\n"
         "   - 计时固定线程数并确认 BLAS，比值相对同一进程的 FP32；\n   - 剪枝后微调、量化用逐通道权重是低成本的准确率恢复手段。";
  return out;
}

std::string improvements(const ReportContext&) {
  return "1. **可以改进的地方**：\n   - 实验设计：多个随机种子重复，给出均值与置信区间；使用完整测试集。\n"
         "   - 参数调优：剪枝后微调的学习率与轮数、QAT 的观察器冻结时机逐项搜索。\n"
         "   - 评估方法：加入稀疏存储格式与稀疏内核，使非结构化剪枝的大小/速度收益可测；在 GPU 与不同 CPU 上复测延迟。\n\n"
         "2. **未来工作**：\n   - 可以尝试的新方法：知识蒸馏、低秩分解、INT4/混合比特权重量化、movement pruning。\n"
         "   - 可以应用的新场景：更大的预训练模型（BERT-base）、多分类与句对任务、端侧设备部署。";
}

std::string value(const ReportContext&) {
  return "- 这些技术在实际项目中如何应用？在准确率约束下选择压缩配置，导出 INT8/剪枝后的检查点直接部署（tpq predict 可加载）。\n"
         "- 对于资源受限设备的意义：INT8 与结构化剪枝同时降低存储、内存带宽与计算量，使模型能在无 GPU 的 CPU/移动端运行。\n"
         "- 对于大规模部署的价值：单样本延迟与吞吐量的提升直接转化为更少的服务器与更低的能耗。";
}

std::string references(const ReportContext&) {
  return "[1] Devlin J, Chang M-W, Lee K, Toutanova K. BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding. NAACL, 2019.\n\n"
         "[2] Han S, Mao H, Dally W J. Deep Compression: Compressing Deep Neural Networks with Pruning, Trained Quantization and Huffman Coding. ICLR, 2016.\n\n"
         "[3] Michel P, Levy O, Neubig G. Are Sixteen Heads Really Better than One? NeurIPS, 2019.\n\n"
         "[4] Jacob B, et al. Quantization and Training of Neural Networks for Efficient Integer-Arithmetic-Only Inference. CVPR, 2018.\n\n"
         "[5] Zhu M, Gupta S. To Prune, or Not to Prune: Exploring the Efficacy of Pruning for Model Compression. ICLR Workshop, 2018.\n\n"
         "（完整列表见 docs/参考文献.md。）";
}

std::string code_listing(const ReportContext&) {
  return "```cpp\n// 关键代码位置（C++17 / LibTorch，libtpq）\n"
         "// src/model/encoder_layers.cpp     编码层（BERT / DistilBERT / RoBERTa 共用；可剪枝的注意力头、FFN）\n"
         "// src/model/encoder_family.cpp     各模型族的 HF 参数名与差异（由 config.json 的 model_type 选择）\n"
         "// src/quant/quantized_model.cpp    动态 / 静态 INT8 量化，INT8 检查点\n"
         "// src/quant/int8_linear.cpp        INT8 Linear 内核（quantized::linear_dynamic 等）\n"
         "// src/pipeline/variant_table.cpp   每个变体以同样方式测量：准确率、F1、文件大小、延迟、吞吐、内存\n"
         "// src/report/comparison.cpp        综合对比：汇总行、帕累托前沿、最佳配置规则\n"
         "// src/report/lab_report.cpp        本报告的生成（模板 → report/实验报告.md）\n"
         "auto tree = tpq::report::load_results_tree(\"results\");\n"
         "auto rows = tpq::report::summary_rows(tree);          // 只读取记录的数值，不重新计算\n"
         "auto front = tpq::report::pareto_front(rows);         // 准确率最大、模型最小\n"
         "```";
}

std::string detailed_data(const ReportContext& context) {
  return "全部实验变体（来自各 results/*/metrics.json；压缩比、加速比相对同一进程的 FP32 行）：\n\n" +
         summary_markdown(context.rows, context.pareto);
}

std::string extra_figures(const ReportContext& context) {
  const auto& root = context.tree.root;
  double total_s = 0;
  std::string per_experiment;
  for (const auto& [subdir, result] : context.tree.experiments) {
    const double wall = result.record.primary.provenance.wall_s;
    if (wall <= 0) continue;  // not recorded
    total_s += wall;
    per_experiment += (per_experiment.empty() ? "" : "，") + subdir + " " + num(wall / 60.0, 1) + " 分钟";
  }
  std::string out = "- 基线训练曲线：" + figure(context, root / "baseline" / "training_curve.png", "基线训练曲线", "01_baseline_training") +
                    "\n- QAT 训练曲线：" + figure(context, root / "qat" / "training_curve.png", "QAT 训练曲线", "04_qat_experiment") +
                    "\n- 注意力头重要性热力图：" + figure(context, root / "structured_pruning" / "heads_heatmap.png", "头重要性", "06_structured_pruning") +
                    "\n- 逐层量化敏感度：" + figure(context, root / "mixed_precision" / "sensitivity.png", "量化敏感度", "05_mixed_precision") +
                    "\n- 非结构化剪枝曲线（07 自带）：" +
                    figure(context, root / "unstructured_pruning" / "sparsity_accuracy.png", "稀疏度-准确率", "07_unstructured_pruning") +
                    "\n- 渐进式剪枝（08 自带）：" + figure(context, root / "progressive_pruning" / "progressive.png", "渐进式剪枝", "08_progressive_pruning");
  out += "\n\n---\n\n**报告完成日期**：" + context.today + "\n\n**实验总耗时**：" + num(total_s / 60.0, 1) +
         " 分钟（各实验 metrics.json 中 wall_s 之和：" + (per_experiment.empty() ? std::string("无记录") : per_experiment) + "）\n\n"
         "**备注**：本报告由 `tpq report` 根据 " + root.string() +
         "/*/metrics.json 自动生成，所有数值均为实测记录；未运行的实验在对应表格处注明。姓名、学号、指导教师需手工填写。";
  return out;
}

}  // namespace

void add_closing_sections(SectionWriters& writers) {
  writers["问题 1"] = problem_one;
  writers["问题 2"] = problem_two;
  writers["8.1 总结"] = summary;
  writers["8.2 改进方向"] = improvements;
  writers["8.3 实际应用价值"] = value;
  writers["九、参考文献"] = references;
  writers["附录 A：代码清单"] = code_listing;
  writers["附录 B：详细数据"] = detailed_data;
  writers["附录 C：额外的可视化"] = extra_figures;
}

}  // namespace tpq::report
