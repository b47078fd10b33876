#include "tpq/pipeline/progressive_pruning.h"

#include <chrono>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "tpq/core/error.h"
#include "tpq/core/runtime_info.h"
#include "tpq/eval/evaluator.h"
#include "tpq/pipeline/baseline_context.h"
#include "tpq/pipeline/magnitude_pruning.h"
#include "tpq/pipeline/variant_table.h"
#include "tpq/results/chart.h"
#include "tpq/results/table.h"
#include "tpq/pipeline/shared_sections.h"

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
  results::Series accuracy{"progressive (test)", {0}, {baseline_accuracy}};
  results::Series one_shot{"one-shot to final sparsity, same budget", {}, {}, "lines"};
  results::Series target{"target", {0}, {100.0 * initial_target}}, actual{"actual", {0}, {100.0 * baseline_sparsity}};
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
  results::render_panels({{"Test accuracy per iteration", "iteration (0 = baseline)", "accuracy", {accuracy, one_shot}},
                          {"Sparsity of encoder Linear weights", "iteration", "sparsity (%)", {target, actual}}},
                         png);
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

void run_progressive_pruning(const ExperimentConfig& config, const fs::path& output_dir, torch::Device device) {
  const auto start = std::chrono::steady_clock::now();
  const std::string started_at = utc_timestamp();
  const auto options = progressive_pruning_options(config);
  fs::create_directories(output_dir);
  fs::remove(output_dir / "metrics.json");

  auto context = load_baseline(config, options.baseline_model, device);
  VariantTable table(context, "progressive_pruning");
  table.add_fp32_baseline();
  const double baseline_accuracy = table.records().front().metrics["accuracy"].get<double>();
  const double baseline_sparsity = prune::measure_sparsity(*context.checkpoint.model, options.prunable).overall();
  const int64_t eval_batch = context.config.training.eval_batch_size;
  const uint64_t seed = context.config.run.seed;

  FineTuneBudget per_iteration;
  per_iteration.epochs = options.fine_tune_epochs;
  per_iteration.steps = options.steps_per_iteration;
  const auto targets = prune::sparsity_schedule(options.initial_sparsity, options.final_sparsity, options.iterations,
                                                options.schedule);

  // Gradual: prune to s_t (pruned weights score 0, so they stay pruned), fine-tune with the masks, measure.
  auto model = clone_baseline(context, device);
  std::vector<HistoryEntry> history;
  double progressive_seconds = 0;
  for (int64_t t = 1; t <= options.iterations; ++t) {
    HistoryEntry entry;
    entry.iteration = t;
    entry.target = targets[static_cast<std::size_t>(t - 1)];
    spdlog::info("progressive pruning: iteration {}/{} to {:.1f}% sparsity", t, options.iterations, 100.0 * entry.target);
    const auto masks = prune_weights(*model, context, options.importance, options.scope, entry.target,
                                     options.calibration_samples, device, options.prunable);
    const auto training = fine_tune_masked(*model, masks, context, per_iteration, options.fine_tune_learning_rate,
                                           seed + static_cast<uint64_t>(t), device);
    entry.fine_tune_seconds = training.seconds;
    progressive_seconds += training.seconds;
    entry.actual = prune::measure_sparsity(*model, options.prunable).overall();
    entry.validation_accuracy = eval::evaluate(*model, context.data.validation, context.num_labels, eval_batch, device).metrics.accuracy;
    const auto test = eval::evaluate(*model, context.data.test, context.num_labels, eval_batch, device).metrics;
    entry.accuracy = test.accuracy;
    entry.f1 = test.f1;
    spdlog::info("iteration {}: actual sparsity {:.2f}%, validation accuracy {:.4f}, test accuracy {:.4f}", t,
                 100.0 * entry.actual, entry.validation_accuracy, entry.accuracy);
    history.push_back(entry);
  }
  const fs::path progressive_dir = output_dir / "models" / "progressive_final";
  const auto progressive_save = save_sparse_model(progressive_dir, *model, context.checkpoint.tokenizer.get(), options.prunable);
  const auto progressive_report = prune::measure_sparsity(*model, options.prunable);
  const std::string final_pct = format_number(100.0 * options.final_sparsity, 0) + "%";

  auto pruning_json = [&](const prune::SparsityReport& report, const FineTuneBudget& budget, double seconds) {
    nlohmann::json pruning;
    pruning["scope"] = prune::to_string(options.scope);
    pruning["importance"] = prune::to_string(options.importance);
    pruning["target_sparsity"] = options.final_sparsity;
    pruning["actual_sparsity"] = report.overall();
    pruning["fine_tuned"] = !budget.none();
    pruning["fine_tune_budget"] = budget.to_json();
    pruning["fine_tune_seconds"] = seconds;
    pruning["per_layer_sparsity"] = report.per_layer_json();
    return pruning;
  };
  FineTuneBudget total = per_iteration;
  total.epochs *= options.iterations;
  total.steps *= options.iterations;
  {
    nlohmann::json extra;
    extra["pruning"] = pruning_json(progressive_report, total, progressive_seconds);
    extra["pruning"]["iterations"] = options.iterations;
    extra["dense_file_bytes"] = progressive_save.dense_file_bytes;
    extra["storage"] = progressive_save.to_json();
    table.add_variant("progressive_final", "渐进式剪枝 (" + final_pct + ")", *model, progressive_dir, extra);
  }

  // One-shot: straight to the final sparsity, then the same total fine-tuning budget in one run.
  spdlog::info("one-shot pruning to {:.1f}% with the same total fine-tuning budget", 100.0 * options.final_sparsity);
  auto one_shot = clone_baseline(context, device);
  const auto masks = prune_weights(*one_shot, context, options.importance, options.scope, options.final_sparsity,
                                   options.calibration_samples, device, options.prunable);
  const auto training = fine_tune_masked(*one_shot, masks, context, total, options.fine_tune_learning_rate, seed, device);
  const fs::path one_shot_dir = output_dir / "models" / "one_shot";
  const auto one_shot_save = save_sparse_model(one_shot_dir, *one_shot, context.checkpoint.tokenizer.get(), options.prunable);
  {
    nlohmann::json extra;
    extra["pruning"] = pruning_json(prune::measure_sparsity(*one_shot, options.prunable), total, training.seconds);
    extra["dense_file_bytes"] = one_shot_save.dense_file_bytes;
    extra["storage"] = one_shot_save.to_json();
    table.add_variant("one_shot", "一次性剪枝 (" + final_pct + ")", *one_shot, one_shot_dir, extra);
  }

  history_table(history).write_csv(output_dir / "history.csv");
  draw_progress(history, baseline_accuracy, options.initial_sparsity, baseline_sparsity, table.records().back().metrics["accuracy"].get<double>(),
                output_dir / "progressive.png");
  nlohmann::json history_json = nlohmann::json::array();
  for (const auto& entry : history) history_json.push_back(to_json(entry));
  nlohmann::json schedule;
  schedule["kind"] = prune::to_string(options.schedule);
  schedule["initial_sparsity"] = options.initial_sparsity;
  schedule["final_sparsity"] = options.final_sparsity;
  schedule["iterations"] = options.iterations;
  schedule["targets"] = targets;
  schedule["fine_tune_per_iteration"] = per_iteration.to_json();
  schedule["one_shot_fine_tune"] = total.to_json();
  nlohmann::json extra;
  extra["history"] = history_json;
  extra["schedule"] = schedule;
  extra["pruned_weights"] = options.prunable.describe();
  extra["notes"] = {
      "Each iteration re-scores the current weights (already-pruned ones score 0 and stay pruned), prunes to the "
      "scheduled sparsity, and fine-tunes with the masks re-applied after every optimizer step.",
      "History accuracy/F1 are on the test split (the reported table); validation accuracy is recorded beside them.",
      "one_shot prunes the baseline straight to the final sparsity and fine-tunes once with the same total budget.",
      "Pruned: encoder Linear weights only; inference uses dense kernels (no speed-up expected)."};
  const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  table.write(output_dir, "progressive_final", started_at, elapsed, extra);
}

}  // namespace tpq::pipeline
