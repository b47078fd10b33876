#include "tpq/pipeline/bench.h"

#include <algorithm>
#include <chrono>
#include <map>

#include <ATen/Parallel.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "tpq/core/device.h"
#include "tpq/core/error.h"
#include "tpq/core/runtime_info.h"
#include "tpq/eval/speed.h"
#include "tpq/checkpoint/checkpoint.h"
#include "tpq/prune/ffn_pruning.h"
#include "tpq/prune/head_pruning.h"
#include "tpq/quant/engine.h"
#include "tpq/quant/quantized_model.h"
#include "tpq/quant/static_quantization.h"
#include "tpq/results/table.h"

namespace tpq::pipeline {
namespace {

// The base shape of each family: bert-base and roberta-base L12 H768, distilbert-base L6 H768.
model::EncoderConfig family_base(const std::string& family) {
  model::EncoderConfig config;  // defaults are bert-base: L12 H768 A12 I3072, 30522 vocab
  config.model_type = family;
  model::encoder_family(family, "--family");  // UserError naming the supported ones
  if (family == "roberta") {
    config.vocab_size = 50265;
    config.pad_token_id = 1;
    config.max_position_embeddings = 514;
    config.type_vocab_size = 1;
    config.layer_norm_eps = 1e-5;
  } else if (family == "distilbert") {
    config.num_hidden_layers = 6;
  }
  return config;
}

model::EncoderConfig shape_config(const std::string& shape, const std::string& family) {
  model::EncoderConfig config = family_base(family);
  if (shape == "bert-base" || shape == "base") return config;
  if (shape == "bert-small") {
    config.num_hidden_layers = 4;
    config.hidden_size = 256;
    config.num_attention_heads = 4;
    config.intermediate_size = 1024;
    return config;
  }
  if (shape == "tiny") {
    config.num_hidden_layers = 2;
    config.hidden_size = 128;
    config.num_attention_heads = 2;
    config.intermediate_size = 512;
    return config;
  }
  throw UserError("--shape " + shape + ": use base (bert-base), bert-small or tiny (or --model DIR)");
}

model::EncoderClassifier make_model(const BenchOptions& options, torch::Device device) {
  torch::manual_seed(options.seed);
  if (!options.model_dir.empty()) {
    checkpoint::LoadOptions load;
    load.load_tokenizer = false;
    return checkpoint::load_checkpoint(options.model_dir, load).model;
  }
  return model::EncoderClassifier(shape_config(options.shape, options.family));
}

// 50% of all heads (global weight-norm ranking; on random weights this is close to an arbitrary
// half) and 50% of every FFN, removed physically: the speed of the smaller shapes is the point.
void prune_half_heads_and_ffn(model::EncoderClassifierImpl& model) {
  const auto scores = prune::weight_norm_head_importance(model);
  const int64_t heads = std::min(prune::removable_heads(model.config), prune::total_heads(model.config) / 2);
  prune::prune_heads(model, prune::select_heads_to_prune(model.config, scores, heads));
  prune::prune_ffn_neurons(model, prune::select_ffn_neurons(prune::ffn_neuron_importance(model), 0.5));
}

model::ModelInputs random_inputs(int64_t batch, int64_t length, int64_t vocab, uint64_t seed, torch::Device device) {
  torch::manual_seed(seed);
  return {torch::randint(1, vocab, {batch, length}, torch::kLong).to(device), torch::zeros({batch, length}, torch::kLong).to(device),
          torch::ones({batch, length}, torch::kLong).to(device)};
}

// The variant applied to a fresh FP32 model.
void apply_variant(model::EncoderClassifierImpl& model, const std::string& variant, const BenchOptions& options,
                   torch::Device device) {
  if (variant == "fp32") {
    model.to(device);
  } else if (variant == "bf16" || variant == "fp16") {
    model.to(device, variant == "bf16" ? torch::kBFloat16 : torch::kHalf);
  } else if (variant == "int8_dynamic" || variant == "int8_dynamic_per_tensor") {
    require(device.is_cpu(), "bench: INT8 variants are CPU-only");
    quant::quantize_dynamic(model, variant == "int8_dynamic" ? quant::Granularity::PerChannel : quant::Granularity::PerTensor);
  } else if (variant == "int8_static") {
    require(device.is_cpu(), "bench: INT8 variants are CPU-only");
    require(options.sequence_lengths.front() <= model.config.max_position_embeddings,
            "bench: --seq-lens exceeds the model's positions");
    // Calibrated (minmax) on one batch of random tokens of the first bench shape, other tokens than the timed ones.
    const auto calibration = quant::calibrate(
        model, {random_inputs(options.batch_sizes.front(), options.sequence_lengths.front(), model.config.vocab_size, options.seed + 2, device)},
        "minmax");
    quant::quantize_static(model, calibration, quant::Granularity::PerChannel);
  } else if (variant == "pruned_50_50" || variant == "pruned_50_50_int8") {
    model.to(device);
    prune_half_heads_and_ffn(model);
    if (variant == "pruned_50_50_int8") {
      require(device.is_cpu(), "bench: INT8 variants are CPU-only");
      quant::quantize_dynamic(model, quant::Granularity::PerChannel);
    }
  } else {
    throw UserError("bench variant '" + variant +
                    "': use fp32, bf16, fp16, int8_dynamic, int8_dynamic_per_tensor, int8_static, pruned_50_50, pruned_50_50_int8");
  }
  model.eval();
}

}  // namespace

BenchReport run_bench(const BenchOptions& options, torch::Device device) {
  require(options.trials > 0 && options.warmup >= 0, "bench: --trials must be positive and --warmup >= 0");
  require(std::find(options.variants.begin(), options.variants.end(), "fp32") != options.variants.end(),
          "bench: the variants must include fp32 (ratios are taken against it)");
  if (std::any_of(options.variants.begin(), options.variants.end(), [](const auto& v) { return v.find("int8") != std::string::npos; })) {
    quant::select_engine("auto");
  }
  torch::NoGradGuard no_grad;
  BenchReport report;
  std::map<std::pair<int64_t, int64_t>, double> fp32_median;
  for (const auto& variant : options.variants) {
    auto model = make_model(options, device);
    apply_variant(*model, variant, options, device);
    const int64_t vocab = model->config.vocab_size;
    for (int64_t batch : options.batch_sizes) {
      for (int64_t length : options.sequence_lengths) {
        require(length <= model->config.max_position_embeddings, "bench: --seq-lens exceeds the model's positions");
        const auto inputs = random_inputs(batch, length, vocab, options.seed + 1, device);
        for (int64_t i = 0; i < options.warmup; ++i) model->forward(inputs);
        synchronize(device);
        std::vector<double> times;
        for (int64_t i = 0; i < options.trials; ++i) {
          const auto start = std::chrono::steady_clock::now();
          model->forward(inputs);
          synchronize(device);
          times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
        }
        BenchRow row{variant, batch, length, eval::percentile(times, 50), *std::min_element(times.begin(), times.end()),
                     *std::max_element(times.begin(), times.end()), 0};
        if (variant == "fp32") fp32_median[{batch, length}] = row.median_ms;
        spdlog::info("bench {} batch {} seq {}: median {:.1f} ms (min {:.1f}, max {:.1f})", variant, batch, length, row.median_ms,
                     row.min_ms, row.max_ms);
        report.rows.push_back(row);
      }
    }
  }
  for (auto& row : report.rows) row.speedup_vs_fp32 = fp32_median.at({row.batch_size, row.sequence_length}) / row.median_ms;
  if (std::find(options.variants.begin(), options.variants.end(), "int8_static") != options.variants.end()) {
    report.notes.push_back("int8_static: per-channel INT8 weights, activation ranges calibrated (minmax) on one batch of random tokens "
                           "of shape " + std::to_string(options.batch_sizes.front()) + "x" +
                           std::to_string(options.sequence_lengths.front()) +
                           " (not real text: the timing is meaningful, the accuracy is not measured here).");
  }
  return report;
}

nlohmann::json BenchReport::to_json() const {
  nlohmann::json rows_json = nlohmann::json::array();
  for (const auto& row : rows) {
    rows_json.push_back({{"variant", row.variant}, {"batch_size", row.batch_size}, {"sequence_length", row.sequence_length},
                         {"median_ms", row.median_ms}, {"min_ms", row.min_ms}, {"max_ms", row.max_ms},
                         {"speedup_vs_fp32", row.speedup_vs_fp32}});
  }
  auto record = runtime_record();
  record["rows"] = rows_json;
  record["notes"] = notes;
  record["quantized_engine"] = quant::current_engine();
  record["started_at"] = utc_timestamp();
  return record;
}

std::string BenchReport::to_markdown() const {
  results::Table table({"variant", "batch", "seq", "median ms", "min ms", "max ms", "speed-up vs FP32"});
  for (const auto& row : rows) {
    table.add_row({row.variant, std::to_string(row.batch_size), std::to_string(row.sequence_length),
                   results::format_number(row.median_ms, 1), results::format_number(row.min_ms, 1),
                   results::format_number(row.max_ms, 1), results::format_number(row.speedup_vs_fp32, 2) + "x"});
  }
  std::string text = table.to_markdown();
  for (const auto& note : notes) text += "\nNote: " + note + "\n";
  return text;
}

}  // namespace tpq::pipeline
