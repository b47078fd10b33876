#include "pipeline/unstructured_pruning.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "tpq/core/error.h"
#include "tpq/eval/evaluator.h"
#include "pipeline/magnitude_pruning.h"
#include "pipeline/variant_experiment.h"
#include "tpq/results/chart.h"
#include "tpq/results/chart_text.h"
#include "tpq/results/table.h"
#include "pipeline/shared_sections.h"
#include "pipeline/unstructured_tables.h"

namespace tpq::pipeline {
namespace fs = std::filesystem;
using results::format_number;

namespace {

class UnstructuredPruning : public VariantExperiment {
 public:
  void read_options(const ExperimentConfig& config) override { options_ = unstructured_pruning_options(config); }

 protected:
  fs::path baseline_model() const override { return options_.baseline_model; }

  std::vector<VariantPlan> plan() override {
    baseline_actual_ = prune::measure_sparsity(*baseline().checkpoint.model, options_.prunable).overall();
    std::vector<VariantPlan> plans;
    for (const auto scope : options_.scopes) {
      for (const double sparsity : options_.sparsities) {
        plans.push_back({pruned_variant_name(scope, sparsity), pruned_row_label(scope, sparsity),
                         [this, scope, sparsity] { return prune_and_fine_tune(scope, sparsity); }});
      }
    }
    return plans;
  }

  ExperimentSummary summarize() override;

 private:
  BuiltVariant prune_and_fine_tune(prune::Scope scope, double sparsity);
  nlohmann::json notes() const;

  UnstructuredPruningOptions options_;
  double baseline_actual_ = 0;
  std::vector<PrunedRow> rows_;
};

BuiltVariant UnstructuredPruning::prune_and_fine_tune(prune::Scope scope, double sparsity) {
  const std::string variant = pruned_variant_name(scope, sparsity);
  spdlog::info("unstructured pruning: {} ({} importance, fine-tune {} epoch(s) / {} step(s))", variant,
               prune::to_string(options_.importance), options_.fine_tune_epochs, options_.fine_tune_steps);
  auto model = fresh_baseline();
  const auto masks = prune_weights(*model, baseline(), options_.importance, scope, sparsity, options_.calibration_samples,
                                   device(), options_.prunable);
  const auto before = eval::evaluate(*model, baseline().data.validation, baseline().num_labels,
                                     config().training.eval_batch_size, device());
  FineTuneBudget budget;
  budget.epochs = options_.fine_tune_epochs;
  budget.steps = options_.fine_tune_steps;
  const auto training = fine_tune_masked(*model, masks, baseline(), budget, options_.fine_tune_learning_rate,
                                         config().run.seed, device());
  const auto report = prune::measure_sparsity(*model, options_.prunable);
  const fs::path model_dir = dir("models") / variant;
  const auto save = save_sparse_model(model_dir, *model, baseline().checkpoint.tokenizer.get(), options_.prunable);
  rows_.push_back({scope, sparsity, report.overall(), pruned_row_label(scope, sparsity), save.file_bytes, save.dense_file_bytes});

  nlohmann::json pruning;
  pruning["scope"] = prune::to_string(scope);
  pruning["importance"] = prune::to_string(options_.importance);
  pruning["target_sparsity"] = sparsity;
  pruning["actual_sparsity"] = report.overall();
  pruning["fine_tuned"] = !budget.none();
  pruning["fine_tune_epochs"] = budget.steps > 0 ? 0 : budget.epochs;
  pruning["fine_tune_steps"] = budget.steps;
  pruning["fine_tune_seconds"] = training.seconds;
  pruning["fine_tune_gradient_sync_seconds"] = training.gradient_sync_seconds;  // 0 in a single process
  pruning["validation_accuracy_before_fine_tune"] = before.metrics.accuracy;
  pruning["validation_accuracy_after_fine_tune"] =
      training.epochs.empty() ? before.metrics.accuracy : training.epochs.back().validation.accuracy;
  pruning["prunable_params"] = report.total;
  pruning["per_layer_sparsity"] = report.per_layer_json();
  return {model, model_dir, {{"pruning", pruning}, {"dense_file_bytes", save.dense_file_bytes}, {"storage", save.to_json()}}};
}

ExperimentSummary UnstructuredPruning::summarize() {
  table().set_comparison_table(sparsity_table(table().records(), rows_, baseline_actual_));
  draw_sparsity_chart(table().records(), rows_, dir("sparsity_accuracy.png"));
  nlohmann::json extra;
  extra["importance"] = prune::to_string(options_.importance);
  extra["pruned_weights"] = options_.prunable.describe();
  extra["scopes"] = options_.scope_text;
  extra["sparsities"] = options_.sparsities;
  extra["fine_tune_epochs"] = options_.fine_tune_steps > 0 ? 0 : options_.fine_tune_epochs;
  extra["fine_tune_steps"] = options_.fine_tune_steps;
  extra["baseline_prunable_sparsity"] = baseline_actual_;
  extra["notes"] = notes();
  return {primary_pruned_variant(rows_, options_.scopes.front()), extra};
}

nlohmann::json UnstructuredPruning::notes() const {
  return {
      "Pruned: encoder Linear weights only (Q, K, V, attention output, FFN in/out); embeddings, LayerNorm, biases, "
      "pooler and classifier are kept dense, so whole-model sparsity is lower than the target.",
      "Global: one ranking over all prunable weights (layers end at different sparsities); local: each Linear at the target.",
      "Masks are re-applied after every optimizer step of fine-tuning, so pruned weights stay exactly 0.",
      "Size: model.safetensors stores pruned weights as a 1-bit mask + F32 non-zeros; dense_file_bytes is the same model "
      "saved densely.",
      "Inference still runs dense FP32 kernels (zeros are multiplied): no speed-up is expected; latency is measured anyway.",
      "性能下降 (%) is relative: (acc_fp32 - acc) / acc_fp32 x 100."};
}

}  // namespace

UnstructuredPruningOptions unstructured_pruning_options(const ExperimentConfig& config) {
  UnstructuredPruningOptions options;
  ConfigSection section(config.tree, "pruning");
  options.baseline_model = section.get_string("baseline_model", options.baseline_model.string());
  options.sparsities = section.get_doubles("sparsities", options.sparsities);
  options.scope_text = section.get_string("scope", options.scope_text);
  options.importance = prune::parse_importance(section.get_string("importance", "l1"), "pruning.importance (--importance)");
  options.fine_tune_epochs = section.get_int("fine_tune_epochs", options.fine_tune_epochs);
  options.fine_tune_steps = section.get_int("fine_tune_steps", options.fine_tune_steps);
  options.fine_tune_learning_rate = section.get_double("fine_tune_learning_rate", options.fine_tune_learning_rate);
  options.calibration_samples = section.get_int("calibration_samples", options.calibration_samples);
  options.prunable.word_embeddings = section.get_bool("prune_word_embeddings", options.prunable.word_embeddings);
  // 06 (structured), 08 (progressive) and 09 (combined) share this section.
  section.accept(pruning_section_keys());
  section.finish();

  require(!options.sparsities.empty(), "pruning.sparsities (--sparsities) is empty; give e.g. 0.1 0.3 0.5 0.7 0.9");
  std::set<long long> seen;
  for (double s : options.sparsities) {
    prune::require_sparsity_fraction(s, "pruning.sparsities (--sparsities)");
    require(seen.insert(std::llround(s * 1000)).second,
            "pruning.sparsities (--sparsities) lists " + sparsity_percent_text(s) + "% twice");
  }
  if (options.scope_text == "both") {
    options.scopes = {prune::Scope::Global, prune::Scope::Local};
  } else {
    require(options.scope_text == "global" || options.scope_text == "local",
            "pruning.scope (--scope): unknown scope '" + options.scope_text + "'; use global, local or both");
    options.scopes = {prune::parse_scope(options.scope_text, "pruning.scope (--scope)")};
  }
  require(options.fine_tune_steps >= 0, "pruning.fine_tune_steps (--fine_tune_steps) must be >= 0 (0 = fine_tune_epochs)");
  require(options.fine_tune_epochs >= 0, "pruning.fine_tune_epochs (--fine_tune_epochs) must be >= 0 (0 = one-shot)");
  require(options.fine_tune_learning_rate >= 0, "pruning.fine_tune_learning_rate must be >= 0 (0 = training.learning_rate)");
  require(options.calibration_samples > 0, "pruning.calibration_samples (--calibration_samples) must be positive");
  return options;
}

ExperimentDefinition unstructured_pruning_definition() {
  ExperimentDefinition definition;
  definition.id = results::ExperimentId::UnstructuredPruning;
  definition.data_parallel = true;  // its fine-tunes train on the job's ranks
  definition.description = "Unstructured magnitude pruning (global/local, L1/L2/Taylor) of the baseline, measured against FP32";
  definition.extra_sections = {"pruning"};
  definition.flags = {
      baseline_model_flag("pruning"),
      {"--sparsities", "pruning.sparsities", "Target sparsities of the prunable weights, in [0, 1)", true},
      {"--scope", "pruning.scope", "global (one threshold), local (per layer) or both"},
      {"--importance", "pruning.importance", "Weight importance: l1, l2 or taylor"},
      {"--fine_tune_epochs,--fine-tune-epochs", "pruning.fine_tune_epochs", "Masked fine-tuning epochs (0 = one-shot)"},
      {"--fine_tune_steps,--fine-tune-steps", "pruning.fine_tune_steps",
       "Fine-tune for this many optimizer steps instead of epochs (0: epochs)"},
      {"--fine_tune_learning_rate,--fine-tune-learning-rate", "pruning.fine_tune_learning_rate",
       "Fine-tuning learning rate (0 = training.learning_rate)"},
      {"--calibration_samples,--calibration-samples", "pruning.calibration_samples", "Training examples for taylor importance"},
      {"--prune_word_embeddings,--prune-word-embeddings", "pruning.prune_word_embeddings",
       "Also prune the word-embedding table (true/false; most of a small model's parameters)"},
  };
  definition.make = [] { return std::make_unique<UnstructuredPruning>(); };
  return definition;
}

}  // namespace tpq::pipeline
