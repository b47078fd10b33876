#include "pipeline/baseline_context.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "tpq/core/error.h"
#include "tpq/io/atomic_file.h"

namespace tpq::pipeline {
namespace fs = std::filesystem;

nlohmann::json model_source_record(const hub::ResolvedRepo* pretrained, const std::string& family) {
  if (!pretrained) return {{"kind", "scratch"}, {"family", family}};
  const auto optional = [](const std::string& text) { return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text); };
  const auto json = pretrained->to_json();
  return {{"kind", "pretrained"},     {"id", pretrained->id},          {"revision", optional(pretrained->revision)},
          {"commit", optional(pretrained->commit)}, {"source", json.value("source", "")}, {"family", family}};
}

BaselineContext load_baseline(const ExperimentConfig& config, const fs::path& model_dir, torch::Device device) {
  require(fs::is_directory(model_dir), model_dir.string() +
                                           ": no baseline model; train it first with 01_baseline_training (or pass "
                                           "--baseline-model DIR)");
  BaselineContext context;
  context.model_dir = model_dir;
  context.config = config;
  checkpoint::LoadOptions options;
  options.device = device;
  context.checkpoint = checkpoint::load_checkpoint(model_dir, options);
  require(context.checkpoint.config.extra.count("tpq_quantization") == 0,
          model_dir.string() + ": this is a quantized checkpoint; experiments start from the FP32 baseline");
  int64_t max_length = std::min<int64_t>(512, context.checkpoint.config.max_position_embeddings);

  // Evaluate on exactly the baseline run's test split: reuse its recorded data section and seed.
  const fs::path run_config = model_dir.parent_path() / "config.json";
  if (fs::is_regular_file(run_config)) {
    const auto recorded = io::read_json_file(run_config);
    if (recorded.contains("data") && recorded.contains("run")) {
      context.config.use_recorded_data(recorded["data"], recorded["run"].value("seed", config.run.seed), run_config.string());
      if (recorded.contains("model") && recorded["model"].contains("max_length")) {
        max_length = std::min<int64_t>(max_length, recorded["model"]["max_length"].get<int64_t>());
      }
      spdlog::info("using the baseline run's data settings from {}", run_config.string());
    }
  }
  const fs::path run_record = model_dir.parent_path() / "metrics.json";
  if (fs::is_regular_file(run_record)) {
    const auto record = io::read_json_file(run_record);
    if (record.is_object() && record.contains("model_source")) context.model_source = record["model_source"];
  }
  auto splits = load_splits(context.config);
  context.num_labels = static_cast<int64_t>(splits.train.label_names.size());
  require(context.num_labels == context.checkpoint.config.num_labels(),
          model_dir.string() + ": the model has " + std::to_string(context.checkpoint.config.num_labels()) +
              " labels but dataset '" + context.config.data.name + "' has " + std::to_string(context.num_labels));
  context.data = prepare_data(context.config, std::move(splits), *context.checkpoint.tokenizer, max_length);
  return context;
}

model::EncoderClassifier clone_baseline(const BaselineContext& context, torch::Device device) {
  checkpoint::LoadOptions options;
  options.device = device;
  options.load_tokenizer = false;
  auto copy = checkpoint::load_checkpoint(context.model_dir, options);
  return copy.model;
}

}  // namespace tpq::pipeline
