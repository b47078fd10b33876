#include "tpq/pipeline/combined.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "tpq/core/error.h"
#include "tpq/core/runtime_info.h"
#include "tpq/eval/evaluator.h"
#include "tpq/io/checkpoint.h"
#include "tpq/model/model_state.h"
#include "tpq/pipeline/baseline_context.h"
#include "tpq/pipeline/shared_sections.h"
#include "tpq/pipeline/variant_table.h"
#include "tpq/prune/ffn_pruning.h"
#include "tpq/prune/head_pruning.h"
#include "tpq/quant/engine.h"
#include "tpq/quant/quantized_model.h"
#include "tpq/results/table.h"

namespace tpq::pipeline {
namespace fs = std::filesystem;
using results::format_number;

namespace {

constexpr const char* kPruneFirst = "prune_then_quantize";
constexpr const char* kQuantizeFirst = "quantize_then_prune";

// The heads and FFN neurons one pruning step removes, chosen on the model it is applied to.
struct StructuredCut {
  prune::HeadSelection heads;
  std::vector<std::vector<int64_t>> ffn_neurons;
};

StructuredCut choose_cut(model::BertForSequenceClassificationImpl& model, const BaselineContext& context,
                         const StructuredPruningOptions& options, int64_t head_count, torch::Device device) {
  StructuredCut cut;
  cut.heads = prune::select_heads_to_prune(model.config, score_heads(model, context, options, device), head_count);
  cut.ffn_neurons = prune::select_ffn_neurons(prune::ffn_neuron_importance(model), options.combined_ffn_sparsity);
  return cut;
}

void apply_cut(model::BertForSequenceClassificationImpl& model, const StructuredCut& cut) {
  torch::NoGradGuard no_grad;
  prune::prune_heads(model, cut.heads);
  if (!cut.ffn_neurons.empty()) prune::prune_ffn_neurons(model, cut.ffn_neurons);
  model.eval();
}

// An FP32 model computing with exactly the INT8 model's weights (int8 x scale): what pruning
// "after quantization" ranks and slices. Pruned matrices are re-quantized afterwards.
model::BertForSequenceClassification dequantized_copy(const BaselineContext& context,
                                                      model::BertForSequenceClassificationImpl& quantized, torch::Device device) {
  auto copy = clone_baseline(context, device);
  std::map<std::string, model::LinearImpl*> targets;
  for (const auto& [name, linear] : model::named_linears(*copy)) targets[name] = linear;
  torch::NoGradGuard no_grad;
  for (const auto& [name, linear] : model::named_linears(quantized)) {
    const auto* kernel = dynamic_cast<const quant::DynamicInt8Linear*>(linear->kernel.get());
    if (!kernel) continue;
    targets.at(name)->weight.copy_(kernel->weight().dequantize());
  }
  copy->eval();
  return copy;
}

std::string percent_text(double fraction) { return std::to_string(std::llround(fraction * 100.0)) + "%"; }

nlohmann::json stage(const char* name, const results::RunRecord& record) {
  nlohmann::json out;
  out["stage"] = name;
  out["variant"] = record.variant;
  out["accuracy"] = record.metrics.at("accuracy");
  out["f1"] = record.metrics.at("f1");
  out["file_mb"] = record.size.at("file_mb");
  out["file_bytes"] = record.size.at("file_bytes");
  out["latency_ms_per_sample_p50"] = record.speed.at("latency_ms_per_sample_p50");
  return out;
}

const results::RunRecord& record_of(const VariantTable& table, const std::string& variant) {
  for (const auto& record : table.records()) {
    if (record.variant == variant) return record;
  }
  throw std::logic_error("combined: variant " + variant + " was not measured");
}

nlohmann::json order_entry(const VariantTable& table, const std::vector<std::pair<const char*, std::string>>& stages,
                           const std::string& sparsity, const std::string& quantization) {
  nlohmann::json entry;
  entry["stages"] = nlohmann::json::array();
  for (const auto& [name, variant] : stages) entry["stages"].push_back(stage(name, record_of(table, variant)));
  const auto& base = table.records().front();
  const auto& final_stage = record_of(table, stages.back().second);
  entry["total_compression"] = base.size.at("file_bytes").get<double>() / final_stage.size.at("file_bytes").get<double>();
  entry["final_accuracy"] = final_stage.metrics.at("accuracy");
  entry["accuracy_drop_points"] =
      100.0 * (base.metrics.at("accuracy").get<double>() - final_stage.metrics.at("accuracy").get<double>());
  entry["speedup"] = base.speed.at("latency_ms_per_sample_p50").get<double>() /
                     final_stage.speed.at("latency_ms_per_sample_p50").get<double>();
  entry["pruning_sparsity"] = sparsity;
  entry["quantization"] = quantization;
  return entry;
}

// Higher final accuracy wins; within 0.1 point the smaller file wins; else a tie.
void decide_winner(nlohmann::json& orders) {
  const auto& first = orders[kPruneFirst];
  const auto& second = orders[kQuantizeFirst];
  const double accuracy_gap = first["final_accuracy"].get<double>() - second["final_accuracy"].get<double>();
  const double compression_gap = first["total_compression"].get<double>() - second["total_compression"].get<double>();
  const char* names[2] = {"先剪枝后量化", "先量化后剪枝"};
  int winner = -1;
  std::string rule;
  if (std::abs(accuracy_gap) >= 0.001) {
    winner = accuracy_gap > 0 ? 0 : 1;
    rule = "最终测试准确率更高者胜";
  } else if (std::abs(compression_gap) >= 0.01) {
    winner = compression_gap > 0 ? 0 : 1;
    rule = "准确率相差 < 0.1 个百分点，总压缩比更高者胜";
  }
  orders["winner"] = winner < 0 ? std::string("平局") : std::string(names[winner]);
  orders["winner_key"] = winner < 0 ? std::string("tie") : std::string(winner == 0 ? kPruneFirst : kQuantizeFirst);
  orders["winner_rule"] = winner < 0 ? std::string("准确率相差 < 0.1 个百分点且压缩比相差 < 0.01x") : rule;
  orders["winner_margin"] = std::round(std::abs(accuracy_gap) * 10000.0) / 100.0;  // accuracy points
  orders["winner_margin_unit"] = "准确率百分点";
  orders["compression_gap"] = compression_gap;
}

results::Table stages_table(const nlohmann::json& orders) {
  results::Table table({"顺序", "阶段", "准确率", "F1分数", "模型大小 (MB)", "推理时间 (ms)"});
  for (const auto& [key, name] : {std::pair{kPruneFirst, "先剪枝后量化"}, std::pair{kQuantizeFirst, "先量化后剪枝"}}) {
    for (const auto& row : orders[key]["stages"]) {
      table.add_row({name, row["stage"].get<std::string>(), format_number(row["accuracy"].get<double>(), 4),
                     format_number(row["f1"].get<double>(), 4), format_number(row["file_mb"].get<double>(), 2),
                     format_number(row["latency_ms_per_sample_p50"].get<double>(), 3)});
    }
    table.add_row({name, "总压缩比", "", "", format_number(orders[key]["total_compression"].get<double>(), 2) + "x", ""});
  }
  return table;
}

}  // namespace

CombinedOptions combined_options(const ExperimentConfig& config) {
  CombinedOptions options;
  options.pruning = structured_pruning_options(config);
  ConfigSection section(config.tree, "pruning");
  options.granularity = quant::parse_granularity(section.get_string("granularity", "per_channel"));
  const auto method = section.get_string("quantization", "dynamic_int8");
  require(method == "dynamic_int8", "pruning.quantization: '" + method +
                                        "' is not supported by 09_combined; use dynamic_int8 (INT8 weights, activations "
                                        "quantized at run time), which applies to pruned and unpruned models alike");
  section.accept(pruning_section_keys());
  section.finish();
  return options;
}

void run_combined(const ExperimentConfig& config, const fs::path& output_dir, torch::Device device) {
  require(device.is_cpu(), "09_combined: INT8 kernels are CPU kernels; use --device cpu");
  const auto start = std::chrono::steady_clock::now();
  const std::string started_at = utc_timestamp();
  const auto options = combined_options(config);
  const auto& pruning = options.pruning;
  fs::create_directories(output_dir);
  fs::remove(output_dir / "metrics.json");
  const std::string engine = quant::select_engine("auto");

  auto context = load_baseline(config, pruning.baseline_model, device);
  const auto& base_config = context.checkpoint.config;
  const int64_t total = prune::total_heads(base_config);
  const int64_t head_count = std::min<int64_t>(prune::removable_heads(base_config),
                                               std::llround(pruning.combined_head_fraction * static_cast<double>(total)));
  const std::string sparsity = std::to_string(head_count) + "/" + std::to_string(total) + " 个注意力头 + " +
                               percent_text(pruning.combined_ffn_sparsity) + " FFN 神经元（结构化，物理移除）";
  const std::string quantization = "动态 INT8（" + std::string(options.granularity == quant::Granularity::PerChannel ? "逐通道" : "逐张量") +
                                   "权重，" + engine + "）";
  const fs::path models = output_dir / "models";

  VariantTable table(context, "combined");
  table.add_fp32_baseline();

  // prune -> quantize: ranked on the FP32 baseline, fine-tuned in FP32, then quantized.
  spdlog::info("combined: prune ({} heads, FFN {}) then quantize", head_count, pruning.combined_ffn_sparsity);
  auto pruned = clone_baseline(context, device);
  const auto fp32_cut = choose_cut(*pruned, context, pruning, head_count, device);
  apply_cut(*pruned, fp32_cut);
  const auto before_fine_tune = eval::evaluate(*pruned, context.data.test, context.num_labels, config.training.eval_batch_size, device);
  {
    // The order effect without fine-tuning: the same cut quantized straight away (not a table row).
    quant::quantize_dynamic(*pruned, options.granularity);
    const auto unrecovered = eval::evaluate(*pruned, context.data.test, context.num_labels, config.training.eval_batch_size, device);
    pruned = clone_baseline(context, device);
    apply_cut(*pruned, fp32_cut);
    spdlog::info("combined: pruned + INT8 without fine-tuning: accuracy {:.4f}", unrecovered.metrics.accuracy);
    auto fine_tuned = fine_tune_and_reload(*pruned, context, pruning, models / "pruned", device);
    table.add_variant("pruned", "剪枝后（先剪枝）", *fine_tuned, models / "pruned",
                      {{"order", kPruneFirst}, {"before_fine_tuning", {{"accuracy", before_fine_tune.metrics.accuracy}, {"f1", before_fine_tune.metrics.f1}}},
                       {"pruned_int8_without_fine_tuning", {{"accuracy", unrecovered.metrics.accuracy}, {"f1", unrecovered.metrics.f1}}}});
    const auto info = quant::quantize_dynamic(*fine_tuned, options.granularity);
    io::save_checkpoint(models / "pruned_int8", *fine_tuned, context.checkpoint.tokenizer.get());
    table.add_variant("pruned_int8", "先剪枝后量化", *fine_tuned, models / "pruned_int8", {{"order", kPruneFirst}, {"quantization", info.to_json()}});
  }

  // quantize -> prune: INT8 first; the cut is ranked on the INT8 weights and sliced from them.
  spdlog::info("combined: quantize then prune ({} heads, FFN {})", head_count, pruning.combined_ffn_sparsity);
  {
    auto quantized = clone_baseline(context, device);
    const auto info = quant::quantize_dynamic(*quantized, options.granularity);
    io::save_checkpoint(models / "int8", *quantized, context.checkpoint.tokenizer.get());
    table.add_variant("int8", "量化后（先量化）", *quantized, models / "int8", {{"order", kQuantizeFirst}, {"quantization", info.to_json()}});
    auto from_int8 = dequantized_copy(context, *quantized, device);
    const auto int8_cut = choose_cut(*from_int8, context, pruning, head_count, device);
    apply_cut(*from_int8, int8_cut);
    const auto requantized = quant::quantize_dynamic(*from_int8, options.granularity);
    io::save_checkpoint(models / "int8_pruned", *from_int8, context.checkpoint.tokenizer.get());
    nlohmann::json same_heads = fp32_cut.heads == int8_cut.heads;
    table.add_variant("int8_pruned", "先量化后剪枝", *from_int8, models / "int8_pruned",
                      {{"order", kQuantizeFirst}, {"quantization", requantized.to_json()}, {"same_heads_as_fp32_ranking", same_heads}});
  }

  nlohmann::json orders;
  orders[kPruneFirst] = order_entry(table, {{"基线", "fp32"}, {"剪枝后", "pruned"}, {"量化后", "pruned_int8"}}, sparsity, quantization);
  orders[kPruneFirst]["fine_tuning"] = fine_tune_budget_text(pruning);
  orders[kPruneFirst]["without_fine_tuning"] = record_of(table, "pruned").extra.at("pruned_int8_without_fine_tuning");
  orders[kQuantizeFirst] = order_entry(table, {{"基线", "fp32"}, {"量化后", "int8"}, {"剪枝后", "int8_pruned"}}, sparsity, quantization);
  orders[kQuantizeFirst]["fine_tuning"] = "none (INT8 weights cannot be trained)";
  decide_winner(orders);
  spdlog::info("combined: winner {} (by {} accuracy points)", orders["winner"].get<std::string>(), orders["winner_margin"].get<double>());
  stages_table(orders).write_csv(output_dir / "stages.csv");

  nlohmann::json extra;
  extra["orders"] = orders;
  extra["pruning_sparsity"] = sparsity;
  extra["quantization"] = quantization;
  extra["heads_pruned"] = head_count;
  extra["heads_total"] = total;
  extra["ffn_sparsity"] = pruning.combined_ffn_sparsity;
  extra["head_importance"] = pruning.head_importance;
  extra["notes"] = {
      "Both orders remove the same amount: pruning.combined_head_fraction of the heads (one stays per layer) and "
      "pruning.combined_ffn_sparsity of every layer's FFN neurons, physically (smaller matrices and files).",
      "prune -> quantize: heads ranked by " + pruning.head_importance + " importance and FFN neurons by weight norm on the FP32 "
          "baseline, the pruned model fine-tuned for " + fine_tune_budget_text(pruning) +
          " in FP32 (best validation epoch), then dynamic INT8.",
      "quantize -> prune: dynamic INT8 first; heads and FFN neurons are ranked on the INT8 weights (int8 x scale) and "
      "sliced from them; matrices that lose columns (attention output, FFN output) are re-quantized. INT8 weights "
      "cannot be fine-tuned, so this order gets no recovery training: that asymmetry is the order's real cost.",
      "experiment_extra.orders.prune_then_quantize.without_fine_tuning isolates the order effect: the same FP32 cut "
      "quantized without fine-tuning.",
      "Total compression = baseline file bytes / final file bytes (files on disk, model.safetensors + config + vocab)."};
  const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  table.write(output_dir, orders["winner_key"] == kQuantizeFirst ? "int8_pruned" : "pruned_int8", started_at, elapsed, extra);
}

}  // namespace tpq::pipeline
