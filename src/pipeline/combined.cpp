#include "pipeline/combined.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "tpq/core/error.h"
#include "tpq/eval/evaluator.h"
#include "tpq/checkpoint/checkpoint.h"
#include "tpq/model/model_state.h"
#include "pipeline/shared_sections.h"
#include "pipeline/variant_experiment.h"
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

StructuredCut choose_cut(model::EncoderClassifierImpl& model, const BaselineContext& context,
                         const StructuredPruningOptions& options, int64_t head_count, torch::Device device) {
  StructuredCut cut;
  cut.heads = prune::select_heads_to_prune(model.config, score_heads(model, context, options, device), head_count);
  cut.ffn_neurons = prune::select_ffn_neurons(prune::ffn_neuron_importance(model), options.combined_ffn_sparsity);
  return cut;
}

void apply_cut(model::EncoderClassifierImpl& model, const StructuredCut& cut) {
  torch::NoGradGuard no_grad;
  prune::prune_heads(model, cut.heads);
  if (!cut.ffn_neurons.empty()) prune::prune_ffn_neurons(model, cut.ffn_neurons);
  model.eval();
}

// An FP32 model computing with exactly the INT8 model's weights (int8 x scale): what pruning
// "after quantization" ranks and slices. Pruned matrices are re-quantized afterwards.
model::EncoderClassifier dequantized_copy(const BaselineContext& context,
                                                      model::EncoderClassifierImpl& quantized, torch::Device device) {
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
  out["accuracy"] = record.metrics.accuracy;
  out["f1"] = record.metrics.f1;
  out["file_mb"] = record.size.file_mb;
  out["file_bytes"] = record.size.file_bytes;
  out["latency_ms_per_sample_p50"] = record.speed.latency_ms_p50;
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
  entry["total_compression"] = static_cast<double>(base.size.file_bytes) / static_cast<double>(final_stage.size.file_bytes);
  entry["final_accuracy"] = final_stage.metrics.accuracy;
  entry["accuracy_drop_points"] = 100.0 * (base.metrics.accuracy - final_stage.metrics.accuracy);
  entry["speedup"] = base.speed.latency_ms_p50 / final_stage.speed.latency_ms_p50;
  entry["pruning_sparsity"] = sparsity;
  entry["quantization"] = quantization;
  return entry;
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


class Combined : public VariantExperiment {
 public:
  void read_options(const ExperimentConfig& config) override {
    options_ = combined_options(config);
    engine_ = quant::select_engine("auto");
  }

 protected:
  fs::path baseline_model() const override { return options_.pruning.baseline_model; }

  std::vector<VariantPlan> plan() override {
    const auto& base = baseline().checkpoint.config;
    total_heads_ = prune::total_heads(base);
    head_count_ = std::min<int64_t>(prune::removable_heads(base),
                                    std::llround(options_.pruning.combined_head_fraction * static_cast<double>(total_heads_)));
    sparsity_ = std::to_string(head_count_) + "/" + std::to_string(total_heads_) + " 个注意力头 + " +
                percent_text(options_.pruning.combined_ffn_sparsity) + " FFN 神经元（结构化，物理移除）";
    quantization_ = "动态 INT8（" + std::string(options_.granularity == quant::Granularity::PerChannel ? "逐通道" : "逐张量") +
                    "权重，" + engine_ + "）";
    return {{"pruned", "剪枝后（先剪枝）", [this] { return prune_and_fine_tune(); }},
            {"pruned_int8", "先剪枝后量化", [this] { return quantize_pruned(); }},
            {"int8", "量化后（先量化）", [this] { return quantize(); }},
            {"int8_pruned", "先量化后剪枝", [this] { return prune_quantized(); }}};
  }

  ExperimentSummary summarize() override;

 private:
  BuiltVariant prune_and_fine_tune();
  BuiltVariant quantize_pruned();
  BuiltVariant quantize();
  BuiltVariant prune_quantized();
  nlohmann::json notes() const;

  CombinedOptions options_;
  std::string engine_;
  int64_t total_heads_ = 0, head_count_ = 0;
  std::string sparsity_, quantization_;
  StructuredCut fp32_cut_;
  model::EncoderClassifier fine_tuned_{nullptr};  // the "pruned" row, quantized next
  model::EncoderClassifier quantized_{nullptr};   // the "int8" row, pruned next
};

// prune -> quantize, first stage: ranked on the FP32 baseline, cut, fine-tuned in FP32.
BuiltVariant Combined::prune_and_fine_tune() {
  const auto& pruning = options_.pruning;
  const int64_t eval_batch = config().training.eval_batch_size;
  spdlog::info("combined: prune ({} heads, FFN {}) then quantize", head_count_, pruning.combined_ffn_sparsity);
  auto pruned = fresh_baseline();
  fp32_cut_ = choose_cut(*pruned, baseline(), pruning, head_count_, device());
  apply_cut(*pruned, fp32_cut_);
  const auto before = eval::evaluate(*pruned, baseline().data.test, baseline().num_labels, eval_batch, device());
  // The order effect without fine-tuning: the same cut quantized straight away (not a table row).
  quant::quantize_dynamic(*pruned, options_.granularity);
  const auto unrecovered = eval::evaluate(*pruned, baseline().data.test, baseline().num_labels, eval_batch, device());
  spdlog::info("combined: pruned + INT8 without fine-tuning: accuracy {:.4f}", unrecovered.metrics.accuracy);
  pruned = fresh_baseline();
  apply_cut(*pruned, fp32_cut_);
  const fs::path model_dir = dir("models") / "pruned";
  fine_tuned_ = fine_tune_and_reload(*pruned, baseline(), pruning, model_dir, device());
  return {fine_tuned_, model_dir,
          {{"order", kPruneFirst},
           {"before_fine_tuning", {{"accuracy", before.metrics.accuracy}, {"f1", before.metrics.f1}}},
           {"pruned_int8_without_fine_tuning", {{"accuracy", unrecovered.metrics.accuracy}, {"f1", unrecovered.metrics.f1}}}}};
}

// prune -> quantize, second stage: the fine-tuned pruned model to dynamic INT8.
BuiltVariant Combined::quantize_pruned() {
  const auto info = quant::quantize_dynamic(*fine_tuned_, options_.granularity);
  const fs::path model_dir = dir("models") / "pruned_int8";
  checkpoint::save_checkpoint(model_dir, *fine_tuned_, baseline().checkpoint.tokenizer.get());
  return {fine_tuned_, model_dir, {{"order", kPruneFirst}, {"quantization", info.to_json()}}};
}

// quantize -> prune, first stage: dynamic INT8 of the baseline.
BuiltVariant Combined::quantize() {
  spdlog::info("combined: quantize then prune ({} heads, FFN {})", head_count_, options_.pruning.combined_ffn_sparsity);
  quantized_ = fresh_baseline();
  const auto info = quant::quantize_dynamic(*quantized_, options_.granularity);
  const fs::path model_dir = dir("models") / "int8";
  checkpoint::save_checkpoint(model_dir, *quantized_, baseline().checkpoint.tokenizer.get());
  return {quantized_, model_dir, {{"order", kQuantizeFirst}, {"quantization", info.to_json()}}};
}

// quantize -> prune, second stage: the cut ranked on the INT8 weights and sliced from them.
BuiltVariant Combined::prune_quantized() {
  auto from_int8 = dequantized_copy(baseline(), *quantized_, device());
  const auto int8_cut = choose_cut(*from_int8, baseline(), options_.pruning, head_count_, device());
  apply_cut(*from_int8, int8_cut);
  const auto requantized = quant::quantize_dynamic(*from_int8, options_.granularity);
  const fs::path model_dir = dir("models") / "int8_pruned";
  checkpoint::save_checkpoint(model_dir, *from_int8, baseline().checkpoint.tokenizer.get());
  nlohmann::json same_heads = fp32_cut_.heads == int8_cut.heads;
  return {from_int8, model_dir,
          {{"order", kQuantizeFirst}, {"quantization", requantized.to_json()}, {"same_heads_as_fp32_ranking", same_heads}}};
}

ExperimentSummary Combined::summarize() {
  const auto& pruning = options_.pruning;
  nlohmann::json orders;
  orders[kPruneFirst] = order_entry(table(), {{"基线", "fp32"}, {"剪枝后", "pruned"}, {"量化后", "pruned_int8"}}, sparsity_, quantization_);
  orders[kPruneFirst]["fine_tuning"] = fine_tune_budget_text(pruning);
  orders[kPruneFirst]["without_fine_tuning"] = record_of(table(), "pruned").extra.at("pruned_int8_without_fine_tuning");
  orders[kQuantizeFirst] = order_entry(table(), {{"基线", "fp32"}, {"量化后", "int8"}, {"剪枝后", "int8_pruned"}}, sparsity_, quantization_);
  orders[kQuantizeFirst]["fine_tuning"] = "none (INT8 weights cannot be trained)";
  decide_winner(orders);
  spdlog::info("combined: winner {} (by {} accuracy points)", orders["winner"].get<std::string>(), orders["winner_margin"].get<double>());
  stages_table(orders).write_csv(dir("stages.csv"));
  nlohmann::json extra;
  extra["orders"] = orders;
  extra["pruning_sparsity"] = sparsity_;
  extra["quantization"] = quantization_;
  extra["heads_pruned"] = head_count_;
  extra["heads_total"] = total_heads_;
  extra["ffn_sparsity"] = pruning.combined_ffn_sparsity;
  extra["head_importance"] = pruning.head_importance;
  extra["notes"] = notes();
  return {orders["winner_key"] == kQuantizeFirst ? "int8_pruned" : "pruned_int8", extra};
}

nlohmann::json Combined::notes() const {
  const auto& pruning = options_.pruning;
  return {
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

ExperimentDefinition combined_definition() {
  ExperimentDefinition definition;
  definition.id = results::ExperimentId::Combined;
  definition.data_parallel = true;  // its fine-tunes train on the job's ranks
  definition.description = "Structured pruning + dynamic INT8 in both orders: per-stage accuracy, size, total compression, winner";
  definition.extra_sections = {"pruning", "quantization"};
  definition.flags = {
      baseline_model_flag("pruning"),
      {"--head_fraction,--head-fraction", "pruning.combined_head_fraction", "Fraction of all heads to remove, in [0, 1)"},
      {"--ffn_sparsity,--ffn-sparsity", "pruning.combined_ffn_sparsity", "Fraction of each layer's FFN neurons to remove, in [0, 1)"},
      {"--importance", "pruning.head_importance", "Head importance: gradient (Michel et al.) or weight_norm"},
      {"--granularity", "pruning.granularity", "INT8 weight scales: per_channel or per_tensor"},
      {"--fine_tune_epochs,--fine-tune-epochs", "pruning.fine_tune_epochs", "FP32 fine-tuning epochs after pruning (prune -> quantize)"},
      {"--fine_tune_steps,--fine-tune-steps", "pruning.fine_tune_steps",
       "Fine-tune for this many optimizer steps instead of epochs (0: epochs)"},
      {"--calibration_samples,--calibration-samples", "pruning.calibration_samples", "Training examples for gradient importance"},
  };
  definition.make = [] { return std::make_unique<Combined>(); };
  return definition;
}

}  // namespace tpq::pipeline
