#include "pipeline/dynamic_quantization.h"

#include <torch/torch.h>

#include "tpq/checkpoint/checkpoint.h"
#include "tpq/io/safetensors.h"
#include "pipeline/shared_sections.h"
#include "pipeline/variant_experiment.h"
#include "tpq/quant/engine.h"
#include "tpq/quant/quantized_model.h"

namespace tpq::pipeline {
namespace fs = std::filesystem;
namespace {

// Bytes the given modules' weights take in a saved file: the honest "Linear weights" size.
uint64_t weight_bytes(const fs::path& safetensors, const std::vector<std::string>& modules) {
  const auto file = io::SafetensorsFile::open(safetensors);
  uint64_t bytes = 0;
  for (const auto& module : modules) {
    for (const char* suffix : {".weight", ".weight_scale"}) {
      if (file.contains(module + suffix)) bytes += file.entry(module + suffix).end - file.entry(module + suffix).begin;
    }
  }
  return bytes;
}

class DynamicQuantization : public VariantExperiment {
 public:
  void read_options(const ExperimentConfig& config) override {
    options_ = dynamic_quantization_options(config);
    engine_ = quant::select_engine(options_.engine);
  }

 protected:
  fs::path baseline_model() const override { return options_.baseline_model; }

  std::vector<VariantPlan> plan() override {
    std::vector<VariantPlan> rows;
    for (auto granularity : {quant::Granularity::PerTensor, quant::Granularity::PerChannel}) {
      const bool per_channel = granularity == quant::Granularity::PerChannel;
      rows.push_back({"int8_dynamic_" + quant::to_string(granularity),
                      std::string("INT8 (动态, ") + (per_channel ? "逐通道" : "逐张量") + ")",
                      [this, granularity] { return quantize(granularity); }});
    }
    return rows;
  }

  ExperimentSummary summarize() override {
    return {"int8_dynamic_per_channel", {{"engine", engine_}, {"linear_weights", linear_sizes_}, {"notes", notes()}}};
  }

 private:
  BuiltVariant quantize(quant::Granularity granularity) {
    quant::LinearSelection selection;
    selection.include_pooler_and_classifier = options_.include_pooler_and_classifier;
    auto model = fresh_baseline();
    const auto info = quant::quantize_dynamic(*model, granularity, selection);
    const std::string variant = "int8_dynamic_" + quant::to_string(granularity);
    // The per-channel model is the experiment's main artefact (quantized_model/, as DESIGN names it).
    const fs::path model_dir = dir(granularity == quant::Granularity::PerChannel ? "quantized_model" : "quantized_model_per_tensor");
    checkpoint::save_checkpoint(model_dir, *model, baseline().checkpoint.tokenizer.get());
    const uint64_t fp32_linear = weight_bytes(baseline().model_dir / "model.safetensors", info.modules);
    const uint64_t int8_linear = weight_bytes(model_dir / "model.safetensors", info.modules);
    linear_sizes_[variant] = {{"modules", info.modules.size()},
                              {"fp32_weight_bytes", fp32_linear},
                              {"int8_weight_bytes", int8_linear},
                              {"compression", static_cast<double>(fp32_linear) / int8_linear}};
    return {model, model_dir, {{"quantization", info.to_json()}, {"linear_weights", linear_sizes_[variant]}}};
  }

  nlohmann::json notes() const {
    return {"Weights: symmetric INT8 (zero point 0), scale = max|w|/127 per tensor or per output channel.",
            "Activations: quantized per batch at run time by quantized::linear_dynamic (" + engine_ + ").",
            std::string("Quantized: every encoder Linear (Q, K, V, attention output, FFN in/out)") +
                (options_.include_pooler_and_classifier ? ", pooler and classifier." : "; pooler and classifier stay FP32."),
            "Embeddings, LayerNorm, softmax, GELU and the attention matmuls stay FP32."};
  }

  DynamicQuantizationOptions options_;
  std::string engine_;
  nlohmann::json linear_sizes_ = nlohmann::json::object();
};

}  // namespace

DynamicQuantizationOptions dynamic_quantization_options(const ExperimentConfig& config) {
  DynamicQuantizationOptions options;
  ConfigSection section(config.tree, "quantization");
  options.baseline_model = section.get_string("baseline_model", options.baseline_model.string());
  options.engine = section.get_string("engine", options.engine);
  options.include_pooler_and_classifier = section.get_bool("include_pooler_and_classifier", options.include_pooler_and_classifier);
  // The quantization experiments (02-05) share this section; each reads its own keys.
  section.accept(quantization_section_keys());
  section.finish();
  return options;
}

ExperimentDefinition dynamic_quantization_definition() {
  ExperimentDefinition definition;
  definition.id = results::ExperimentId::DynamicQuantization;
  definition.description = "Dynamic INT8 quantization of the baseline's Linear layers, measured against FP32";
  definition.extra_sections = {"quantization"};
  definition.flags = {
      baseline_model_flag("quantization"),
      {"--engine", "quantization.engine", "Quantized engine: auto, onednn, fbgemm, qnnpack"},
      {"--include-head", "quantization.include_pooler_and_classifier", "Also quantize pooler and classifier (true/false)"},
  };
  definition.make = [] { return std::make_unique<DynamicQuantization>(); };
  return definition;
}

}  // namespace tpq::pipeline
