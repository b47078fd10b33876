#include "pipeline/progressive_pruning.h"


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

namespace tpq::pipeline {
namespace fs = std::filesystem;
using results::format_number;

namespace {

struct HistoryEntry {
  int64_t iteration = 0;
  double target = 0;
  double actual = 0;
  double accuracy = 0;  // test split (the reported table)
  double f1 = 0;
  double validation_accuracy = 0;  // validation split (what a user would decide on)
  double fine_tune_seconds = 0;
};

nlohmann::json to_json(const HistoryEntry& entry) {
  nlohmann::json json;
  json["iteration"] = entry.iteration;
  json["target_sparsity"] = entry.target;
  json["actual_sparsity"] = entry.actual;
  json["accuracy"] = entry.accuracy;
  json["f1"] = entry.f1;
  json["validation_accuracy"] = entry.validation_accuracy;
  json["fine_tune_seconds"] = entry.fine_tune_seconds;
  return json;
}

results::Table history_table(const std::vector<HistoryEntry>& history) {
  results::Table table({"迭代", "目标稀疏度", "实际稀疏度", "准确率", "F1分数", "验证集准确率", "微调时间 (s)"});
  for (const auto& entry : history) {
    table.add_row({std::to_string(entry.iteration), format_number(100.0 * entry.target, 2) + "%",
                   format_number(100.0 * entry.actual, 2) + "%", format_number(entry.accuracy, 4),
                   format_number(entry.f1, 4), format_number(entry.validation_accuracy, 4),
                   format_number(entry.fine_tune_seconds, 1)});
  }
  return table;
}

// Iteration 0 is the baseline: its accuracy, the initial target and the baseline's measured sparsity.
void draw_progress(const std::vector<HistoryEntry>& history, double baseline_accuracy, double initial_target,
                   double baseline_sparsity, double one_shot_accuracy, const fs::path& png) {
  if (!results::gnuplot_available()) {
    spdlog::warn("gnuplot not found: {} not drawn (sudo apt-get install gnuplot-nox)", png.string());
    return;
  }
  results::Series accuracy{results::chart_text("progressive (test)", "渐进式（测试集）"), {0}, {baseline_accuracy}};
  results::Series one_shot{results::chart_text("one-shot to final sparsity, same budget", "一次剪到最终稀疏度（同等微调预算）"), {}, {}, "lines"};
  results::Series target{results::chart_text("target", "目标"), {0}, {100.0 * initial_target}}, actual{results::chart_text("actual", "实际"), {0}, {100.0 * baseline_sparsity}};
  for (const auto& entry : history) {
    accuracy.x.push_back(static_cast<double>(entry.iteration));
    accuracy.y.push_back(entry.accuracy);
    target.x.push_back(static_cast<double>(entry.iteration));
    target.y.push_back(100.0 * entry.target);
    actual.x.push_back(static_cast<double>(entry.iteration));
    actual.y.push_back(100.0 * entry.actual);
  }
  for (double x : {0.0, static_cast<double>(history.size())}) {
    one_shot.x.push_back(x);
    one_shot.y.push_back(one_shot_accuracy);
  }
  results::render_panels({{results::chart_text("Test accuracy per iteration", "每轮测试准确率"), results::chart_text("iteration (0 = baseline)", "迭代轮次（0 = 基线）"), results::chart_text("accuracy", "准确率"), {accuracy, one_shot}},
                          {results::chart_text("Sparsity of the pruned weights", "被剪权重的稀疏度"), results::chart_text("iteration", "迭代轮次"), results::chart_text("sparsity (%)", "稀疏度 (%)"), {target, actual}}},
                         png);
}


class ProgressivePruning : public VariantExperiment {
 public:
  void read_options(const ExperimentConfig& config) override { options_ = progressive_pruning_options(config); }

 protected:
  fs::path baseline_model() const override { return options_.baseline_model; }

  std::vector<VariantPlan> plan() override {
    per_iteration_.epochs = options_.fine_tune_epochs;
    per_iteration_.steps = options_.steps_per_iteration;
    total_ = per_iteration_;
    total_.epochs *= options_.iterations;
    total_.steps *= options_.iterations;
    baseline_sparsity_ = prune::measure_sparsity(*baseline().checkpoint.model, options_.prunable).overall();
    const std::string final_pct = format_number(100.0 * options_.final_sparsity, 0) + "%";
    return {{"progressive_final", "渐进式剪枝 (" + final_pct + ")", [this] { return prune_gradually(); }},
            {"one_shot", "一次性剪枝 (" + final_pct + ")", [this] { return prune_at_once(); }}};
  }

  ExperimentSummary summarize() override;

 private:
  HistoryEntry iterate(model::EncoderClassifierImpl& model, int64_t t, double target);
  BuiltVariant prune_gradually();
  BuiltVariant prune_at_once();
  nlohmann::json pruning_json(const prune::SparsityReport& report, const FineTuneBudget& budget, double seconds) const;
  nlohmann::json schedule_json() const;

  ProgressivePruningOptions options_;
  FineTuneBudget per_iteration_, total_;
  double baseline_sparsity_ = 0;
  std::vector<double> targets_;
  std::vector<HistoryEntry> history_;
};

// One iteration: prune to `target` (pruned weights score 0, so they stay pruned), fine-tune with
// the masks held, measure.
HistoryEntry ProgressivePruning::iterate(model::EncoderClassifierImpl& model, int64_t t, double target) {
  HistoryEntry entry;
  entry.iteration = t;
  entry.target = target;
  spdlog::info("progressive pruning: iteration {}/{} to {:.1f}% sparsity", t, options_.iterations, 100.0 * entry.target);
  const auto masks = prune_weights(model, baseline(), options_.importance, options_.scope, entry.target,
                                   options_.calibration_samples, device(), options_.prunable);
  const auto training = fine_tune_masked(model, masks, baseline(), per_iteration_, options_.fine_tune_learning_rate,
                                         config().run.seed + static_cast<uint64_t>(t), device());
  entry.fine_tune_seconds = training.seconds;
  entry.actual = prune::measure_sparsity(model, options_.prunable).overall();
  const int64_t eval_batch = config().training.eval_batch_size;
  entry.validation_accuracy =
      eval::evaluate(model, baseline().data.validation, baseline().num_labels, eval_batch, device()).metrics.accuracy;
  const auto test = eval::evaluate(model, baseline().data.test, baseline().num_labels, eval_batch, device()).metrics;
  entry.accuracy = test.accuracy;
  entry.f1 = test.f1;
  spdlog::info("iteration {}: actual sparsity {:.2f}%, validation accuracy {:.4f}, test accuracy {:.4f}", t,
               100.0 * entry.actual, entry.validation_accuracy, entry.accuracy);
  return entry;
}

BuiltVariant ProgressivePruning::prune_gradually() {
  targets_ = prune::sparsity_schedule(options_.initial_sparsity, options_.final_sparsity, options_.iterations, options_.schedule);
  auto model = fresh_baseline();
  double seconds = 0;
  for (int64_t t = 1; t <= options_.iterations; ++t) {
    history_.push_back(iterate(*model, t, targets_[static_cast<std::size_t>(t - 1)]));
    seconds += history_.back().fine_tune_seconds;
  }
  const fs::path model_dir = dir("models") / "progressive_final";
  const auto save = save_sparse_model(model_dir, *model, baseline().checkpoint.tokenizer.get(), options_.prunable);
  nlohmann::json extra;
  extra["pruning"] = pruning_json(prune::measure_sparsity(*model, options_.prunable), total_, seconds);
  extra["pruning"]["iterations"] = options_.iterations;
  extra["dense_file_bytes"] = save.dense_file_bytes;
  extra["storage"] = save.to_json();
  return {model, model_dir, extra};
}

// One-shot: straight to the final sparsity, then the same total fine-tuning budget in one run.
BuiltVariant ProgressivePruning::prune_at_once() {
  spdlog::info("one-shot pruning to {:.1f}% with the same total fine-tuning budget", 100.0 * options_.final_sparsity);
  auto model = fresh_baseline();
  const auto masks = prune_weights(*model, baseline(), options_.importance, options_.scope, options_.final_sparsity,
                                   options_.calibration_samples, device(), options_.prunable);
  const auto training = fine_tune_masked(*model, masks, baseline(), total_, options_.fine_tune_learning_rate,
                                         config().run.seed, device());
  const fs::path model_dir = dir("models") / "one_shot";
  const auto save = save_sparse_model(model_dir, *model, baseline().checkpoint.tokenizer.get(), options_.prunable);
  nlohmann::json extra;
  extra["pruning"] = pruning_json(prune::measure_sparsity(*model, options_.prunable), total_, training.seconds);
  extra["dense_file_bytes"] = save.dense_file_bytes;
  extra["storage"] = save.to_json();
  return {model, model_dir, extra};
}

nlohmann::json ProgressivePruning::pruning_json(const prune::SparsityReport& report, const FineTuneBudget& budget,
                                                double seconds) const {
  nlohmann::json pruning;
  pruning["scope"] = prune::to_string(options_.scope);
  pruning["importance"] = prune::to_string(options_.importance);
  pruning["target_sparsity"] = options_.final_sparsity;
  pruning["actual_sparsity"] = report.overall();
  pruning["fine_tuned"] = !budget.none();
  pruning["fine_tune_budget"] = budget.to_json();
  pruning["fine_tune_seconds"] = seconds;
  pruning["per_layer_sparsity"] = report.per_layer_json();
  return pruning;
}

nlohmann::json ProgressivePruning::schedule_json() const {
  nlohmann::json schedule;
  schedule["kind"] = prune::to_string(options_.schedule);
  schedule["initial_sparsity"] = options_.initial_sparsity;
  schedule["final_sparsity"] = options_.final_sparsity;
  schedule["iterations"] = options_.iterations;
  schedule["targets"] = targets_;
  schedule["fine_tune_per_iteration"] = per_iteration_.to_json();
  schedule["one_shot_fine_tune"] = total_.to_json();
  return schedule;
}

ExperimentSummary ProgressivePruning::summarize() {
  const auto& records = table().records();
  history_table(history_).write_csv(dir("history.csv"));
  draw_progress(history_, records.front().metrics.accuracy, options_.initial_sparsity, baseline_sparsity_,
                records.back().metrics.accuracy, dir("progressive.png"));
  nlohmann::json history = nlohmann::json::array();
  for (const auto& entry : history_) history.push_back(to_json(entry));
  nlohmann::json extra;
  extra["history"] = history;
  extra["schedule"] = schedule_json();
  extra["pruned_weights"] = options_.prunable.describe();
  extra["notes"] = {
      "Each iteration re-scores the current weights (already-pruned ones score 0 and stay pruned), prunes to the "
      "scheduled sparsity, and fine-tunes with the masks re-applied after every optimizer step.",
      "History accuracy/F1 are on the test split (the reported table); validation accuracy is recorded beside them.",
      "one_shot prunes the baseline straight to the final sparsity and fine-tunes once with the same total budget.",
      "Pruned: encoder Linear weights only; inference uses dense kernels (no speed-up expected)."};
  return {"progressive_final", extra};
}

}  // namespace

ProgressivePruningOptions progressive_pruning_options(const ExperimentConfig& config) {
  ProgressivePruningOptions options;
  ConfigSection section(config.tree, "pruning");
  options.baseline_model = section.get_string("baseline_model", options.baseline_model.string());
  options.initial_sparsity = section.get_double("initial_sparsity", options.initial_sparsity);
  options.final_sparsity = section.get_double("final_sparsity", options.final_sparsity);
  options.iterations = section.get_int("iterations", options.iterations);
  options.schedule = prune::parse_schedule(section.get_string("schedule", "cubic"), "pruning.schedule (--schedule)");
  options.scope = prune::parse_scope(section.get_string("scope", "global"), "pruning.scope (--scope)");
  options.importance = prune::parse_importance(section.get_string("importance", "l1"), "pruning.importance (--importance)");
  options.fine_tune_epochs = section.get_int("fine_tune_epochs", options.fine_tune_epochs);
  options.steps_per_iteration = section.get_int("steps_per_iteration", options.steps_per_iteration);
  options.fine_tune_learning_rate = section.get_double("fine_tune_learning_rate", options.fine_tune_learning_rate);
  options.calibration_samples = section.get_int("calibration_samples", options.calibration_samples);
  options.prunable.word_embeddings = section.get_bool("prune_word_embeddings", options.prunable.word_embeddings);
  // 06 (structured), 07 (unstructured) and 09 (combined) share this section.
  section.accept(pruning_section_keys());
  section.finish();

  prune::require_sparsity_fraction(options.initial_sparsity, "pruning.initial_sparsity (--initial_sparsity)");
  prune::require_sparsity_fraction(options.final_sparsity, "pruning.final_sparsity (--final_sparsity)");
  require(options.final_sparsity >= options.initial_sparsity,
          "pruning.final_sparsity (--final_sparsity) must be >= initial_sparsity (pruned weights are never regrown)");
  require(options.iterations >= 1, "pruning.iterations (--iterations) must be >= 1");
  require(options.fine_tune_epochs >= 0, "pruning.fine_tune_epochs (--fine_tune_epochs) must be >= 0");
  require(options.steps_per_iteration >= 0, "pruning.steps_per_iteration (--steps_per_iteration) must be >= 0 (0 = epochs)");
  require(options.fine_tune_learning_rate >= 0, "pruning.fine_tune_learning_rate must be >= 0 (0 = training.learning_rate)");
  require(options.calibration_samples > 0, "pruning.calibration_samples (--calibration_samples) must be positive");
  return options;
}

ExperimentDefinition progressive_pruning_definition() {
  ExperimentDefinition definition;
  definition.id = results::ExperimentId::ProgressivePruning;
  definition.data_parallel = true;  // its fine-tunes train on the job's ranks
  definition.description = "Progressive (gradual) magnitude pruning of the baseline vs one-shot, measured against FP32";
  definition.extra_sections = {"pruning"};
  definition.flags = {
      baseline_model_flag("pruning"),
      {"--initial_sparsity,--initial-sparsity", "pruning.initial_sparsity", "Sparsity before the first step, in [0, 1)"},
      {"--final_sparsity,--final-sparsity", "pruning.final_sparsity", "Sparsity after the last step, in [0, 1)"},
      {"--iterations", "pruning.iterations", "Prune + fine-tune steps"},
      {"--schedule", "pruning.schedule", "cubic (Zhu & Gupta 2017) or linear"},
      {"--scope", "pruning.scope", "global or local"},
      {"--importance", "pruning.importance", "Weight importance: l1, l2 or taylor"},
      {"--fine_tune_epochs,--fine-tune-epochs", "pruning.fine_tune_epochs", "Fine-tuning epochs per iteration"},
      {"--steps_per_iteration,--steps-per-iteration", "pruning.steps_per_iteration",
       "Optimizer steps per iteration instead of epochs (0 = epochs)"},
      {"--fine_tune_learning_rate,--fine-tune-learning-rate", "pruning.fine_tune_learning_rate",
       "Fine-tuning learning rate (0 = training.learning_rate)"},
      {"--calibration_samples,--calibration-samples", "pruning.calibration_samples", "Training examples for taylor importance"},
      {"--prune_word_embeddings,--prune-word-embeddings", "pruning.prune_word_embeddings",
       "Also prune the word-embedding table (true/false; most of a small model's parameters)"},
  };
  definition.make = [] { return std::make_unique<ProgressivePruning>(); };
  return definition;
}

}  // namespace tpq::pipeline
