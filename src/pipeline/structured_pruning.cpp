#include "pipeline/structured_pruning.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "tpq/core/error.h"
#include "tpq/eval/evaluator.h"
#include "tpq/checkpoint/checkpoint.h"
#include "pipeline/magnitude_pruning.h"
#include "pipeline/structured_pruning_tables.h"
#include "pipeline/variant_experiment.h"
#include "tpq/prune/ffn_pruning.h"
#include "tpq/prune/head_importance.h"
#include "tpq/prune/head_pruning.h"
#include "tpq/train/trainer.h"
#include "pipeline/shared_sections.h"

namespace tpq::pipeline {
namespace fs = std::filesystem;
namespace {

// One table row to build: which heads go, how much of each FFN.
struct PrunePlan {
  std::string variant;
  std::string label;
  std::string kind;  // heads | ffn | heads_ffn
  int64_t heads_pruned = 0;
  prune::HeadSelection heads;
  double ffn_sparsity = 0;
};

int64_t percent(double fraction) { return std::llround(fraction * 100.0); }

void require_sparsity(double value, const std::string& key) {
  require(value >= 0 && value < 1, "pruning." + key + " has " + std::to_string(value) +
                                       "; sparsities and fractions must be in [0, 1) (1 would remove everything)");
}

}  // namespace

StructuredPruningOptions structured_pruning_options(const ExperimentConfig& config) {
  StructuredPruningOptions options;
  ConfigSection section(config.tree, "pruning");
  options.baseline_model = section.get_string("baseline_model", options.baseline_model.string());
  options.heads = section.get_ints("heads", options.heads);
  options.head_fractions = section.get_doubles("head_fractions", options.head_fractions);
  options.ffn_sparsities = section.get_doubles("ffn_sparsity", options.ffn_sparsities);
  options.head_importance = section.get_string("head_importance", options.head_importance);
  options.fine_tune_epochs = section.get_int("fine_tune_epochs", options.fine_tune_epochs);
  options.fine_tune_steps = section.get_int("fine_tune_steps", options.fine_tune_steps);
  options.fine_tune_learning_rate = section.get_double("fine_tune_learning_rate", options.fine_tune_learning_rate);
  options.calibration_samples = section.get_int("calibration_samples", options.calibration_samples);
  options.combined_head_fraction = section.get_double("combined_head_fraction", options.combined_head_fraction);
  options.combined_ffn_sparsity = section.get_double("combined_ffn_sparsity", options.combined_ffn_sparsity);
  // 07/08/09 share this section; `importance` is 07's weight criterion (l1|l2|taylor), so 06 reads
  // its own head criterion from `head_importance`.
  section.accept(pruning_section_keys());
  section.finish();

  prune::parse_head_importance(options.head_importance, "pruning.head_importance (--importance)");
  for (int64_t count : options.heads) require(count >= 0, "pruning.heads (--heads) has " + std::to_string(count) + "; counts must be >= 0");
  for (double f : options.head_fractions) require_sparsity(f, "head_fractions (--head_fractions)");
  for (double s : options.ffn_sparsities) require_sparsity(s, "ffn_sparsity (--ffn_sparsity)");
  require_sparsity(options.combined_head_fraction, "combined_head_fraction");
  require_sparsity(options.combined_ffn_sparsity, "combined_ffn_sparsity");
  require(options.fine_tune_epochs >= 0, "pruning.fine_tune_epochs (--fine_tune_epochs) must be >= 0");
  require(options.fine_tune_steps >= 0, "pruning.fine_tune_steps (--fine_tune_steps) must be >= 0 (0 = fine_tune_epochs)");
  require(options.fine_tune_learning_rate >= 0, "pruning.fine_tune_learning_rate must be >= 0 (0 = training.learning_rate)");
  require(options.calibration_samples > 0, "pruning.calibration_samples (--calibration_samples) must be positive");
  return options;
}

HeadCounts head_counts(const StructuredPruningOptions& options, const model::EncoderConfig& config) {
  const int64_t total = prune::total_heads(config);
  const int64_t removable = prune::removable_heads(config);
  std::set<int64_t> counts;
  HeadCounts result;
  if (!options.heads.empty()) {
    for (int64_t count : options.heads) {
      require(count <= removable, "--heads " + std::to_string(count) + ": the model has " + std::to_string(total) +
                                      " heads and one stays per layer, so at most " + std::to_string(removable) +
                                      " can be pruned");
      if (count > 0) counts.insert(count);
    }
    result.rule = "head counts given by pruning.heads / --heads";
  } else if (total == 144) {
    counts = {4, 8, 12};
    result.rule = "bert-base shape (144 heads): the template's head counts 4, 8, 12";
  } else {
    bool capped = false;
    for (double fraction : options.head_fractions) {
      int64_t count = std::llround(fraction * static_cast<double>(total));
      if (count > removable) {
        count = removable;
        capped = true;
      }
      if (count > 0) counts.insert(count);
    }
    result.rule = "model has " + std::to_string(total) + " heads (not bert-base's 144): counts = round(fraction x " +
                  std::to_string(total) + ") for head_fractions, capped at " + std::to_string(removable) +
                  " (one head stays per layer)" + (capped ? "; some fractions were capped" : "") + ", duplicates dropped";
  }
  result.counts.assign(counts.begin(), counts.end());
  return result;
}

std::string fine_tune_budget_text(const StructuredPruningOptions& options) {
  if (options.fine_tune_steps > 0) return std::to_string(options.fine_tune_steps) + " optimizer steps";
  return std::to_string(options.fine_tune_epochs) + " epoch(s)";
}

prune::HeadScores score_heads(model::EncoderClassifierImpl& model, const BaselineContext& context,
                              const StructuredPruningOptions& options, torch::Device device) {
  if (prune::parse_head_importance(options.head_importance, "pruning.head_importance") == prune::HeadImportance::Gradient) {
    prune::GradientImportanceOptions gradient;
    gradient.max_samples = options.calibration_samples;
    gradient.batch_size = context.config.training.eval_batch_size;
    gradient.seed = context.config.run.seed;
    return prune::gradient_head_importance(model, context.data.train, gradient, device);
  }
  return prune::weight_norm_head_importance(model);
}

model::EncoderClassifier fine_tune_and_reload(model::EncoderClassifierImpl& model, BaselineContext& context,
                                              const StructuredPruningOptions& options, const fs::path& dir,
                                              torch::Device device, train::TrainResult* training_record) {
  const auto* tokenizer = context.checkpoint.tokenizer.get();
  if (options.fine_tune_epochs > 0 || options.fine_tune_steps > 0) {
    auto training = context.config.training;
    training.epochs = options.fine_tune_steps > 0 ? 1 : options.fine_tune_epochs;
    training.early_stopping_patience = 0;
    if (options.fine_tune_learning_rate > 0) training.learning_rate = options.fine_tune_learning_rate;
    // A step budget trains one pass over exactly steps x batch examples.
    const auto sample = options.fine_tune_steps > 0
                            ? data::seeded_sample(context.data.train,
                                              options.fine_tune_steps * training.batch_size * training.gradient_accumulation_steps,
                                              context.config.run.seed)
                            : data::TokenizedSplit{};
    train::TrainHooks hooks;
    hooks.on_best = [&](const train::EpochLog&) { checkpoint::save_checkpoint(dir, model, tokenizer); };
    train::Trainer trainer(model, training, device, context.config.run.seed, context.group);
    auto result =
        trainer.fit(options.fine_tune_steps > 0 ? sample : context.data.train, context.data.validation, context.num_labels, hooks);
    if (training_record) *training_record = std::move(result);
  } else {
    checkpoint::save_checkpoint(dir, model, tokenizer);
  }
  checkpoint::LoadOptions load;
  load.device = device;
  load.load_tokenizer = false;
  auto reloaded = checkpoint::load_checkpoint(dir, load).model;
  reloaded->eval();
  return reloaded;
}

namespace {

class StructuredPruning : public VariantExperiment {
 public:
  void read_options(const ExperimentConfig& config) override { options_ = structured_pruning_options(config); }

 protected:
  fs::path baseline_model() const override { return options_.baseline_model; }

  std::vector<VariantPlan> plan() override {
    const auto& base = baseline().checkpoint.config;
    counts_ = head_counts(options_, base);
    total_ = prune::total_heads(base);
    // Importance is scored once on the unpruned baseline (one-shot pruning, as Michel et al.).
    {
      auto scoring = fresh_baseline();
      scores_ = score_heads(*scoring, baseline(), options_, device());
    }
    std::vector<VariantPlan> rows;
    for (const auto& cut : cuts()) rows.push_back({cut.variant, cut.label, [this, cut] { return prune_and_fine_tune(cut); }});
    return rows;
  }

  ExperimentSummary summarize() override;

 private:
  std::vector<PrunePlan> cuts();
  BuiltVariant prune_and_fine_tune(const PrunePlan& plan);
  nlohmann::json head_importance_json() const;
  nlohmann::json notes() const;

  StructuredPruningOptions options_;
  HeadCounts counts_;
  int64_t total_ = 0;
  prune::HeadScores scores_;
  std::vector<BeforeAfter> fine_tuning_;
  std::string combined_variant_;
};

// One row per head count, per FFN sparsity, and the heads + FFN row.
std::vector<PrunePlan> StructuredPruning::cuts() {
  const auto& base = baseline().checkpoint.config;
  std::vector<PrunePlan> plans;
  for (int64_t count : counts_.counts) {
    // Labels name the cut on their own: 10's summary and the report's Pareto list mix every experiment's rows.
    plans.push_back({"heads_" + std::to_string(count), "剪 " + std::to_string(count) + " 个头", "heads", count,
                     prune::select_heads_to_prune(base, scores_, count), 0});
  }
  for (double sparsity : options_.ffn_sparsities) {
    if (sparsity == 0) continue;
    plans.push_back({"ffn_" + std::to_string(percent(sparsity)), "FFN 剪 " + std::to_string(percent(sparsity)) + "%", "ffn", 0, {},
                     sparsity});
  }
  const int64_t heads = std::min<int64_t>(prune::removable_heads(base),
                                          std::llround(options_.combined_head_fraction * static_cast<double>(total_)));
  const int64_t ffn = percent(options_.combined_ffn_sparsity);
  plans.push_back({"heads_" + std::to_string(heads) + "_ffn_" + std::to_string(ffn),
                   std::to_string(heads) + " 头 + " + std::to_string(ffn) + "% FFN", "heads_ffn", heads,
                   prune::select_heads_to_prune(base, scores_, heads), options_.combined_ffn_sparsity});
  return plans;
}

BuiltVariant StructuredPruning::prune_and_fine_tune(const PrunePlan& plan) {
  spdlog::info("structured pruning {}: {} heads of {}, FFN sparsity {}", plan.variant, plan.heads_pruned, total_, plan.ffn_sparsity);
  auto model = fresh_baseline();
  prune::prune_heads(*model, plan.heads);
  if (plan.ffn_sparsity > 0) {
    prune::prune_ffn_neurons(*model, prune::select_ffn_neurons(prune::ffn_neuron_importance(*model), plan.ffn_sparsity));
  }
  model->eval();
  const auto before = eval::evaluate(*model, baseline().data.test, baseline().num_labels, config().training.eval_batch_size,
                                     device(), baseline().group);
  const fs::path model_dir = dir("models") / plan.variant;
  train::TrainResult training;
  auto pruned = fine_tune_and_reload(*model, baseline(), options_, model_dir, device(), &training);
  nlohmann::json pruning;
  pruning["kind"] = plan.kind;
  pruning["heads_pruned"] = plan.heads_pruned;
  pruning["heads_total"] = total_;
  pruning["ffn_sparsity"] = plan.ffn_sparsity;
  pruning["importance"] = options_.head_importance;
  pruning["fine_tuned"] = options_.fine_tune_epochs > 0 || options_.fine_tune_steps > 0;
  pruning["fine_tune_epochs"] = options_.fine_tune_steps > 0 ? 0 : options_.fine_tune_epochs;
  pruning["fine_tune_steps"] = options_.fine_tune_steps;
  pruning["before_fine_tuning"] = {{"accuracy", before.metrics.accuracy}, {"f1", before.metrics.f1}};
  pruning["fine_tune_training"] = {{"optimizer_steps", training.optimizer_steps}, {"seconds", training.seconds},
                                   {"gradient_sync_seconds", training.gradient_sync_seconds}};
  pruning["pruned_heads"] = pruned->config.to_json().value("pruned_heads", nlohmann::json::object());
  pruning["intermediate_sizes"] = pruned->config.intermediate_sizes;
  fine_tuning_.push_back({plan.variant, plan.label, before.metrics.accuracy, before.metrics.f1, 0, 0});
  if (plan.kind == "heads_ffn") combined_variant_ = plan.variant;
  return {pruned, model_dir, {{"pruning", pruning}}};
}

ExperimentSummary StructuredPruning::summarize() {
  // After fine-tuning: the rows as measured (row i + 1 of the table is cut i).
  for (std::size_t i = 0; i < fine_tuning_.size(); ++i) {
    const auto& record = table().records()[i + 1];
    fine_tuning_[i].accuracy_after = record.metrics.accuracy;
    fine_tuning_[i].f1_after = record.metrics.f1;
  }
  const auto& base = baseline().checkpoint.config;
  // The largest head pruning decides the heat map's marks and surviving_heads.
  prune::HeadSelection largest;
  if (!counts_.counts.empty()) largest = prune::select_heads_to_prune(base, scores_, counts_.counts.back());
  nlohmann::json surviving = nlohmann::json::array();
  for (int64_t layer = 0; layer < base.num_hidden_layers; ++layer) {
    auto after = base;
    after.pruned_heads = largest;
    surviving.push_back(prune::kept_heads(after, layer));
  }
  write_structured_pruning_tables(table().records(), fine_tuning_, dir());
  draw_head_heatmap(scores_, largest, options_.head_importance, dir("heads_heatmap.png"));

  nlohmann::json extra;
  extra["head_importance"] = head_importance_json();
  extra["heads_total"] = total_;
  extra["removable_heads"] = prune::removable_heads(base);
  extra["head_counts"] = counts_.counts;
  extra["head_counts_rule"] = counts_.rule;
  extra["largest_heads_pruned"] = counts_.counts.empty() ? 0 : counts_.counts.back();
  extra["surviving_heads"] = surviving;
  extra["ffn_sparsities"] = options_.ffn_sparsities;
  extra["ffn_importance"] = "weight_norm: ||intermediate.dense row j||_2 * ||output.dense column j||_2, same fraction in every layer";
  extra["fine_tuning"] = {{"epochs", options_.fine_tune_steps > 0 ? 0 : options_.fine_tune_epochs},
                          {"steps", options_.fine_tune_steps},
                          {"learning_rate", options_.fine_tune_learning_rate > 0 ? options_.fine_tune_learning_rate
                                                                                 : config().training.learning_rate}};
  extra["before_after_fine_tuning"] = before_after_json(fine_tuning_);
  extra["notes"] = notes();
  return {combined_variant_, extra};
}

nlohmann::json StructuredPruning::head_importance_json() const {
  const bool gradient = prune::parse_head_importance(options_.head_importance, "pruning.head_importance") ==
                        prune::HeadImportance::Gradient;
  nlohmann::json importance;
  importance["method"] = options_.head_importance;
  importance["scores"] = scores_.to_json();  // [layer][original head]
  importance["normalised_per_layer"] = "L2";
  importance["calibration_samples"] = gradient ? options_.calibration_samples : 0;
  return importance;
}

nlohmann::json StructuredPruning::notes() const {
  const bool gradient = prune::parse_head_importance(options_.head_importance, "pruning.head_importance") ==
                        prune::HeadImportance::Gradient;
  return {
      "Heads and FFN neurons are removed physically (smaller matrices, smaller files), not masked.",
      "Head counts: " + counts_.rule + ".",
      "One head always stays in each layer; pruned_heads in config.json uses HF's format (original head indices).",
      "Heads ranked globally across layers on per-layer L2-normalised " + options_.head_importance +
          " importance computed once on the baseline" +
          (gradient ? " (sum over batches of |dL/d gate| on " + std::to_string(options_.calibration_samples) + " training examples)."
                    : " (L2 norm of the head's Q/K/V rows and output-projection columns)."),
      "Every pruned row is fine-tuned (" + fine_tune_budget_text(options_) +
          " on the training split, best validation epoch kept) and then measured as reloaded from disk; "
          "the accuracy before fine-tuning is in before_fine_tuning / fine_tuning_table.csv.",
      "The FP32 row is the baseline re-measured; its fine-tuning budget was the baseline's own, so pruned rows also had " +
          fine_tune_budget_text(options_) + " of extra training."};
}

}  // namespace

ExperimentDefinition structured_pruning_definition() {
  ExperimentDefinition definition;
  definition.id = results::ExperimentId::StructuredPruning;
  definition.data_parallel = true;  // its fine-tunes train on the job's ranks
  definition.description = "Structured pruning of attention heads and FFN neurons (physically removed, fine-tuned)";
  definition.extra_sections = {"pruning"};
  definition.flags = {
      baseline_model_flag("pruning"),
      {"--heads", "pruning.heads", "Head counts to prune (none given: 4 8 12 for 144 heads, else --head_fractions)", true},
      {"--head_fractions,--head-fractions", "pruning.head_fractions", "Fractions of all heads to prune (models without 144 heads)", true},
      {"--ffn_sparsity,--ffn-sparsity", "pruning.ffn_sparsity", "FFN neuron fractions to remove, each in [0, 1)", true},
      {"--importance", "pruning.head_importance", "Head importance: gradient (Michel et al.) or weight_norm"},
      {"--fine_tune_epochs,--fine-tune-epochs", "pruning.fine_tune_epochs", "Fine-tuning epochs after pruning (0: none)"},
      {"--fine_tune_steps,--fine-tune-steps", "pruning.fine_tune_steps",
       "Fine-tune for this many optimizer steps instead of epochs (0: epochs)"},
      {"--calibration_samples,--calibration-samples", "pruning.calibration_samples", "Training examples for gradient importance"},
  };
  definition.make = [] { return std::make_unique<StructuredPruning>(); };
  return definition;
}

}  // namespace tpq::pipeline
