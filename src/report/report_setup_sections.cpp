// Lab report sections 基本信息, 二 (environment) and 三 (dataset, baseline model).
#include "report_sections.h"

namespace tpq::report {
namespace {

std::string basic_info(const ReportContext& context) {
  return "- **实验名称**：Transformer 模型剪枝和量化实验\n- **姓名**：\n- **学号**：\n- **日期**：" + context.today +
         "\n- **指导教师**：";
}

std::string hardware(const ReportContext& context) {
  const auto& env = context.env;
  return "- CPU：" + env.cpu + "（" + env.cores + "）\n- GPU：" + env.gpu + "\n- 内存：" + env.memory;
}

std::string software(const ReportContext& context) {
  const auto& env = context.env;
  return "- 操作系统：" + env.os +
         "\n- Python 版本：不适用（本实验为 C++17 实现，无 Python 运行时；编译器 " + env.compiler + "）" +
         "\n- PyTorch 版本：" + env.libtorch + "；BLAS：" + env.blas + "\n- CUDA 版本（如有）：" + env.cuda;
}

std::string dependencies(const ReportContext& context) {
  std::string out = "```\n";
  for (const auto& dep : context.env.dependencies) out += dep.name + "==" + dep.version + "    # 来源：" + dep.source + "\n";
  return out + "```\n\n（本实现不使用 transformers / datasets / numpy / pandas / matplotlib / seaborn：模型、数据、统计由 libtpq "
               "C++ 代码实现，图表由 gnuplot 绘制。）";
}

const nlohmann::json& split_stats(const ReportContext& context, const char* split) {
  static const nlohmann::json empty = nlohmann::json::object();
  if (!context.dataset_stats.is_object()) return empty;
  const auto splits = context.dataset_stats.find("splits");
  if (splits == context.dataset_stats.end() || !splits->is_object() || !splits->contains(split)) return empty;
  return (*splits)[split];
}

// The dataset's task (data::dataset_task) in the report's words.
std::string task_name(const std::string& task) {
  if (task == "sentiment") return "情感分析";
  if (task == "topic") return "新闻主题分类";
  if (task == "spam") return "垃圾邮件检测";
  return "自定义标签";
}

// How over-long texts were cut (data.truncation), as the baseline's config records it.
std::string truncation_text(const nlohmann::json& data) {
  const std::string keep = data.value("truncation", std::string("head"));
  if (keep == "tail") return "，截断时保留结尾";
  if (keep != "head_tail") return "，截断时保留开头（HF 默认）";
  return "，截断时保留开头 " + first_key(data, {"truncation_head_tokens"}, "?") + " 个子词、其余取自结尾（head + tail）";
}

std::string dataset(const ReportContext& context) {
  const auto* baseline = context.tree.find("baseline");
  if (!baseline) return "**使用的数据集**：\n- " + not_run(context, "baseline");
  const auto& data = baseline->record.primary.extra.value("dataset", nlohmann::json::object());
  const auto& stats = context.dataset_stats;
  auto size_of = [&](const char* split, const char* fallback_key) {
    const auto& s = split_stats(context, split);
    return s.contains("size") ? inline_value(s["size"]) : first_key(data, {fallback_key}, "未记录");
  };
  const auto labels = data.contains("labels") ? data["labels"] : stats.value("label_names", nlohmann::json::array());
  std::string out = "**使用的数据集**：\n";
  out += "- 数据集名称：" + first_key(data, {"name"}, stats.is_object() ? first_key(stats, {"dataset"}, "未记录") : "未记录") + "\n";
  out += "- 任务类型：文本分类（" + task_name(data.value("task", std::string("sentiment"))) + "，" + std::to_string(labels.size()) + " 类）\n";
  if (data.contains("hub") && data["hub"].is_object()) {
    out += "- 数据来源：Hugging Face Hub 数据集 " + first_key(data["hub"], {"id"}, "?") + "（提交 " +
           first_key(data["hub"], {"commit"}, "?") + "，文件 " + inline_value(data["hub"].value("files", nlohmann::json::array())) + "）\n";
  }
  out += "- 训练集大小：" + size_of("train", "train") + "\n- 验证集大小：" + size_of("validation", "validation") +
         "\n- 测试集大小：" + size_of("test", "test") + "\n";
  out += "- 类别数量：" + std::to_string(labels.size()) + "（" + inline_value(labels) + "）\n\n**数据集特点**：\n";
  if (!stats.is_object()) return out + "- " + (context.tree.root / "baseline" / "dataset_stats.json").string() + " 不存在，无法统计";
  const auto& train = split_stats(context, "train");
  const auto& tokens = train.value("token_length", nlohmann::json::object());
  out += "- 基本特征：训练集 token 长度（含 [CLS]/[SEP]，截断前）均值 " + first_key(tokens, {"mean"}, "?") + "，中位数 " +
         first_key(tokens, {"p50"}, "?") + "，p95 " + first_key(tokens, {"p95"}, "?") + "，最大 " + first_key(tokens, {"max"}, "?") +
         "；max_length = " + first_key(stats, {"max_length"}, "?") + " 时截断比例 " +
         (train.contains("truncation_rate") ? num(train["truncation_rate"].get<double>() * 100, 1) + "%" : std::string("未记录")) +
         truncation_text(baseline->record.primary.config.value("data", nlohmann::json::object())) + "\n";
  out += "- 数据分布情况：";
  for (const char* split : {"train", "validation", "test"}) {
    const auto& s = split_stats(context, split);
    out += std::string(split) + " 各类数量 " + (s.contains("class_counts") ? inline_value(s["class_counts"]) : "未记录") + "；";
  }
  if (stats.contains("duplicate_texts")) out += "重复文本 " + inline_value(stats["duplicate_texts"]);
  out += "\n- 样本示例（训练集每类第一条）：";
  std::string examples;
  if (stats.contains("samples") && stats["samples"].is_object()) {
    for (const auto& [label, samples] : stats["samples"].items()) {
      if (!samples.is_array() || samples.empty()) continue;
      std::string text = samples.front().value("text", "");
      for (auto& c : text) c = c == '\n' || c == '|' ? ' ' : c;
      examples += (examples.empty() ? "" : "；") + std::string("[") + label + "] " + text;
    }
  }
  out += (examples.empty() ? std::string("未记录") : examples) + "\n";
  return out;
}

// "预训练检查点 bert-base-uncased（revision main，提交 …，Hub 下载）" or "从头训练".
std::string model_origin(const nlohmann::json& source) {
  if (!source.is_object()) return "未记录（基线的 metrics.json 没有 model_source）";
  if (source.value("kind", "") != "pretrained") return "从头训练（随机初始化，未使用预训练权重）";
  const std::string where = source.value("source", "");
  const std::string how = where == "download" ? "从 Hugging Face Hub 下载" : where == "cache" ? "取自本地 Hugging Face 缓存" : "本地检查点目录";
  std::string out = "预训练检查点 " + first_key(source, {"id"}, "?") + "（" + how;
  if (source.contains("commit") && source["commit"].is_string()) {
    out += "，revision " + first_key(source, {"revision"}, "?") + "，提交 " + source["commit"].get<std::string>();
  }
  return out + "），在本数据集上微调";
}

// Where the baseline's family differs from BERT in ways the tables show (empty for BERT).
std::string family_note(const nlohmann::json& model) {
  const std::string family = model.value("family", "bert");
  const std::string layers = first_key(model, {"layers"}, "?");
  if (family == "distilbert") {
    return "DistilBERT 没有 token type 嵌入和 pooler，分类头为 pre_classifier + ReLU + classifier；只有 " + layers +
           " 层，所以各层的头重要性与头剪枝表比 12 层的 BERT 短，每剪一层占的比例更大";
  }
  if (family == "roberta") {
    return "RoBERTa 的编码器与 BERT 相同，但位置 id 从 padding_idx + 1 起按非填充 token 计数、只有一种 token type，"
           "分类头为 dense + tanh + out_proj（作用于 <s>），预训练检查点使用字节级 BPE 分词";
  }
  return "";
}

// Peak RSS (the kernel's count, /proc/self/status VmHWM) of the evaluation and of each training phase.
std::string memory_rows(const results::MemorySection& memory) {
  std::string out = "| 峰值内存：评估 (MB) | " + num(memory.peak_rss_mb, 1) +
                    (memory.scope == "evaluation" ? "（仅评估阶段）" : "（进程生命周期）") + " |\n";
  for (const auto& phase : memory.phases) {
    out += "| 峰值内存：" + results::phase_display_name(phase.phase) + " (MB) | " + num(phase.peak_rss_mb, 1) +
           (phase.peak_is_phase_only ? "" : "（进程至此的峰值）") + " |\n";
  }
  return out;
}

std::string baseline_model(const ReportContext& context) {
  const auto* baseline = context.tree.find("baseline");
  if (!baseline) return not_run(context, "baseline");
  const auto& record = baseline->record.primary;
  const auto& model = record.extra.value("model", nlohmann::json::object());
  const auto& size = record.size;
  const auto& config = context.baseline_config.is_object() ? context.baseline_config : record.config;
  const auto& training = config.value("training", nlohmann::json::object());
  const auto& metrics = record.metrics;
  const auto& speed = record.speed;
  std::string source = first_key(model, {"source"}, "scratch");
  std::string out = "**模型配置**：\n";
  out += "- 模型名称：" + first_key(model, {"architecture"}, "BertForSequenceClassification") + "（" +
         (source == "scratch" ? "从头训练，tokenizer " + first_key(model, {"tokenizer"}, "?") + "，词表 " + first_key(model, {"vocab_size"}, "?")
                              : "微调自 " + source) + "）\n";
  out += "- 模型来源：" + model_origin(record.provenance.model_source) + "\n";
  if (const std::string note = family_note(model); !note.empty()) out += "- 模型族差异：" + note + "\n";
  out += "- 参数数量：" + std::to_string(size.params) + "\n";
  out += "- 模型大小：" + num(size.file_mb, 2) + " MB（" + std::to_string(size.file_bytes) + " 字节，保存的文件）\n";
  out += "- 层数：" + first_key(model, {"layers"}, "未记录") + "\n- 注意力头数：" + first_key(model, {"heads"}, "未记录") +
         "\n- 隐藏层维度：" + first_key(model, {"hidden_size"}, "未记录") + "（FFN 中间维度 " +
         first_key(model, {"intermediate_size"}, "?") + "，max_length " + first_key(model, {"max_length"}, "?") + "）\n\n";
  out += "**训练配置**：\n```yaml\nlearning_rate: " + first_key(training, {"learning_rate"}, "未记录") +
         "\nbatch_size: " + first_key(training, {"batch_size"}, "未记录") + "\nepochs: " + first_key(training, {"epochs"}, "未记录") +
         "\noptimizer: " + first_key(training, {"optimizer"}, "AdamW") + "  # weight_decay " + first_key(training, {"weight_decay"}, "?") +
         ", warmup_ratio " + first_key(training, {"warmup_ratio"}, "?") + ", schedule " + first_key(training, {"schedule"}, "?") +
         "\n```\n\n**基线性能**：\n| 指标 | 数值 |\n|------|------|\n";
  out += "| 准确率 (Accuracy) | " + num(metrics.accuracy, 4) + " |\n| F1 分数 | " + num(metrics.f1, 4) +
         " |\n| 精确率 (Precision) | " + num(metrics.precision, 4) + " |\n| 召回率 (Recall) | " + num(metrics.recall, 4) +
         " |\n| 推理时间 (ms/样本) | " + num(speed.latency_ms_p50, 3) + "（p50，batch 1，" + std::to_string(speed.threads) +
         " 线程） |\n| 模型大小 (MB) | " + num(size.file_mb, 2) + " |\n";
  return out + memory_rows(record.memory);
}

}  // namespace

void add_setup_sections(SectionWriters& writers) {
  writers["基本信息"] = basic_info;
  writers["硬件环境"] = hardware;
  writers["软件环境"] = software;
  writers["依赖包版本"] = dependencies;
  writers["3.1 数据集"] = dataset;
  writers["3.2 基线模型"] = baseline_model;
}

}  // namespace tpq::report
