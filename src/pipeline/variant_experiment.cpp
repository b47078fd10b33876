#include "pipeline/variant_experiment.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "tpq/hub/resolve.h"

namespace tpq::pipeline {
namespace fs = std::filesystem;

void VariantExperiment::run(ExperimentRun& run) {
  run_ = &run;
  fs::path model_dir = baseline_model();
  nlohmann::json hub_source;
  if (model_dir.empty()) {
    model_dir = run.sibling(results::ExperimentId::Baseline) / "model";
  } else if (!fs::is_directory(model_dir) && hub::looks_like_hub_id(model_dir.string())) {
    const auto resolved = hub::resolve_model(model_dir.string());  // a fine-tuned checkpoint on the Hub, or in its cache
    model_dir = resolved.dir;
    hub_source = model_source_record(&resolved, "");
  }
  baseline_.emplace(load_baseline(run.config(), model_dir, run.device()));
  baseline_->group = run.process_group();
  if (!hub_source.is_null()) {
    hub_source["family"] = baseline_->checkpoint.config.model_type;
    baseline_->model_source = hub_source;
  }
  table_.emplace(*baseline_, run.entry().results_dir, run.device(),
                 [&run](const fs::path& path) { return run.published_path(path); });
  table_->add_variant("fp32", "FP32 (基线)", *baseline_->checkpoint.model, baseline_->model_dir, fp32_extra());
  for (auto& row : plan()) {
    spdlog::info("{}: building {}", run.entry().results_dir, row.variant);
    auto built = row.build();
    table_->add_variant(row.variant, row.label, *built.model, built.dir, built.extra);
  }
  // The other ranks of a job have helped train and evaluate every row; rank 0 alone times and writes.
  if (!run.is_rank_zero()) return;
  const auto& evaluation = config().evaluation;
  table_->time_side_by_side({evaluation.timing_rounds, evaluation.throughput_batch_size, /*singles_per_round=*/3,
                             std::min<int64_t>(evaluation.warmup, 2)});
  auto summary = summarize();
  const auto& compressed = baseline_->checkpoint.config;  // which model every row comes from
  summary.extra["model"] = {{"family", compressed.model_type},
                            {"architecture", compressed.family().architecture},
                            {"baseline_model", baseline_->model_dir.string()}};
  table_->write(run.dir(), summary.primary_variant, run.started_at(), run.elapsed_seconds(), summary.extra);
}

}  // namespace tpq::pipeline
