#include "tpq/pipeline/dynamic_quantization.h"

#include <chrono>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "tpq/core/error.h"
#include "tpq/core/runtime_info.h"
#include "tpq/io/atomic_file.h"
#include "tpq/io/safetensors.h"
#include "tpq/pipeline/baseline_context.h"
#include "tpq/pipeline/variant_table.h"
#include "tpq/quant/engine.h"
#include "tpq/quant/quantized_model.h"
#include "tpq/pipeline/shared_sections.h"

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

void run_dynamic_quantization(const ExperimentConfig& config, const fs::path& output_dir, torch::Device device) {
  require(device.is_cpu(), "02_dynamic_quantization: INT8 kernels are CPU kernels; use --device cpu");
  const auto start = std::chrono::steady_clock::now();
  const std::string started_at = utc_timestamp();
  const auto options = dynamic_quantization_options(config);
  fs::create_directories(output_dir);
  fs::remove(output_dir / "metrics.json");
  const std::string engine = quant::select_engine(options.engine);

  auto context = load_baseline(config, options.baseline_model, device);
  VariantTable table(context, "dynamic_quant");
  table.add_fp32_baseline();

  quant::LinearSelection selection;
  selection.include_pooler_and_classifier = options.include_pooler_and_classifier;
  nlohmann::json linear_sizes = nlohmann::json::object();
  for (auto granularity : {quant::Granularity::PerTensor, quant::Granularity::PerChannel}) {
    auto model = clone_baseline(context, device);
    const auto info = quant::quantize_dynamic(*model, granularity, selection);
    const std::string variant = "int8_dynamic_" + quant::to_string(granularity);
    // The per-channel model is the experiment's main artefact (quantized_model/, as DESIGN names it).
    const fs::path model_dir = output_dir / (granularity == quant::Granularity::PerChannel ? "quantized_model"
                                                                                          : "quantized_model_per_tensor");
    io::save_checkpoint(model_dir, *model, context.checkpoint.tokenizer.get());
    const uint64_t fp32_linear = weight_bytes(context.model_dir / "model.safetensors", info.modules);
    const uint64_t int8_linear = weight_bytes(model_dir / "model.safetensors", info.modules);
    linear_sizes[variant] = {{"modules", info.modules.size()},
                             {"fp32_weight_bytes", fp32_linear},
                             {"int8_weight_bytes", int8_linear},
                             {"compression", static_cast<double>(fp32_linear) / int8_linear}};
    table.add_variant(variant, "INT8 (动态, " + std::string(granularity == quant::Granularity::PerChannel ? "逐通道" : "逐张量") + ")",
                      *model, model_dir,
                      {{"quantization", info.to_json()}, {"linear_weights", linear_sizes[variant]}});
  }

  const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  table.write(output_dir, "int8_dynamic_per_channel", started_at, elapsed,
              {{"engine", engine},
               {"linear_weights", linear_sizes},
               {"notes",
                {"Weights: symmetric INT8 (zero point 0), scale = max|w|/127 per tensor or per output channel.",
                 "Activations: quantized per batch at run time by quantized::linear_dynamic (" + engine + ").",
                 std::string("Quantized: every encoder Linear (Q, K, V, attention output, FFN in/out)") +
                     (options.include_pooler_and_classifier ? ", pooler and classifier." : "; pooler and classifier stay FP32."),
                 "Embeddings, LayerNorm, softmax, GELU and the attention matmuls stay FP32."}}});
}

}  // namespace tpq::pipeline
