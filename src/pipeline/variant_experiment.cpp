#include "pipeline/variant_experiment.h"

#include <spdlog/spdlog.h>

namespace tpq::pipeline {
namespace fs = std::filesystem;

void VariantExperiment::run(ExperimentRun& run) {
  run_ = &run;
  fs::path model_dir = baseline_model();
  if (model_dir.empty()) model_dir = run.sibling(results::ExperimentId::Baseline) / "model";
  baseline_.emplace(load_baseline(run.config(), model_dir, run.device()));
  table_.emplace(*baseline_, run.entry().results_dir, run.device(),
                 [&run](const fs::path& path) { return run.published_path(path); });
  table_->add_variant("fp32", "FP32 (基线)", *baseline_->checkpoint.model, baseline_->model_dir, fp32_extra());
  for (auto& row : plan()) {
    spdlog::info("{}: building {}", run.entry().results_dir, row.variant);
    auto built = row.build();
    table_->add_variant(row.variant, row.label, *built.model, built.dir, built.extra);
  }
  auto summary = summarize();
  const auto& compressed = baseline_->checkpoint.config;  // which model every row comes from
  summary.extra["model"] = {{"family", compressed.model_type},
                            {"architecture", compressed.family().architecture},
                            {"baseline_model", baseline_->model_dir.string()}};
  table_->write(run.dir(), summary.primary_variant, run.started_at(), run.elapsed_seconds(), summary.extra);
}

}  // namespace tpq::pipeline
