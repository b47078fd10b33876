#include "tpq/pipeline/bench.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>

#include <unistd.h>

#include <ATen/Parallel.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "tpq/core/device.h"
#include "tpq/core/error.h"
#include "tpq/core/runtime_info.h"
#include "tpq/eval/interleaved_timing.h"
#include "tpq/eval/speed.h"
#include "tpq/eval/speedup_interval.h"
#include "tpq/io/safetensors.h"
#include "tpq/model/packed_linear.h"
#include "tpq/checkpoint/checkpoint.h"
#include "tpq/prune/ffn_pruning.h"
#include "tpq/prune/head_pruning.h"
#include "tpq/quant/engine.h"
#include "tpq/quant/quantized_model.h"
#include "tpq/quant/static_quantization.h"
#include "tpq/results/table.h"

namespace tpq::pipeline {
namespace {

namespace fs = std::filesystem;

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
    quant::select_engine("auto");  // a saved INT8 checkpoint packs its weights for the engine as it loads
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

// The variant's checkpoint as tpq saves it: its bytes on disk, in all and in the encoder layers
// (where INT8 and pruning act; the embeddings stay FP32). Saved in a scratch directory, or with
// --save-models in <save_models_dir>/<variant>, where it stays.
BenchSize saved_size(model::EncoderClassifierImpl& model, const std::string& variant, const fs::path& save_models_dir) {
  const bool keep = !save_models_dir.empty();
  const auto dir = keep ? save_models_dir / variant
                        : fs::temp_directory_path() / ("tpq-bench-" + std::to_string(::getpid()) + "-" + variant);
  if (!keep) fs::remove_all(dir);
  checkpoint::save_checkpoint(dir, model, nullptr);
  BenchSize size{variant, checkpoint::directory_bytes(dir), 0};
  const auto file = io::SafetensorsFile::open(dir / "model.safetensors");
  for (const auto& entry : file.header().tensors) {
    const bool encoder = entry.name.find(".encoder.layer.") != std::string::npos ||
                         entry.name.find(".transformer.layer.") != std::string::npos;
    if (encoder) size.encoder_bytes += entry.end - entry.begin;
  }
  if (!keep) fs::remove_all(dir);
  return size;
}

// One shape: every variant once per round, in an order rotated each round (eval/interleaved_timing.h).
std::vector<std::vector<double>> time_rounds(std::vector<model::EncoderClassifier>& models, const model::ModelInputs& inputs,
                                             const BenchOptions& options, torch::Device device) {
  for (auto& model : models) {
    for (int64_t i = 0; i < options.warmup; ++i) model->logits(inputs);
  }
  synchronize(device);
  std::vector<std::vector<double>> times(models.size());
  eval::for_each_interleaved(models.size(), options.trials, [&](std::size_t m, int64_t) {
    const auto start = std::chrono::steady_clock::now();
    models[m]->logits(inputs);
    synchronize(device);
    times[m].push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  });
  return times;
}

}  // namespace

BenchReport run_bench(const BenchOptions& options, torch::Device device) {
  require(options.trials > 0 && options.warmup >= 0, "bench: --trials must be positive and --warmup >= 0");
  const auto fp32_at = std::find(options.variants.begin(), options.variants.end(), "fp32");
  require(fp32_at != options.variants.end(), "bench: the variants must include fp32 (ratios are taken against it)");
  if (std::any_of(options.variants.begin(), options.variants.end(), [](const auto& v) { return v.find("int8") != std::string::npos; })) {
    quant::select_engine("auto");
  }
  torch::NoGradGuard no_grad;
  BenchReport report;
  std::vector<model::EncoderClassifier> models;
  for (const auto& variant : options.variants) {
    models.push_back(make_model(options, device));
    apply_variant(*models.back(), variant, options, device);
    report.sizes.push_back(saved_size(*models.back(), variant, options.save_models_dir));
    // Frozen for inference as a deployment would: weights packed once (no second copy kept).
    if (device.is_cpu()) {
      spdlog::info("bench {}: {} FP32/BF16 Linears packed for oneDNN", variant, model::pack_linears_for_inference(*models.back()));
    }
  }
  const auto fp32 = static_cast<std::size_t>(fp32_at - options.variants.begin());
  const int64_t vocab = models.front()->config.vocab_size;
  for (int64_t batch : options.batch_sizes) {
    for (int64_t length : options.sequence_lengths) {
      require(length <= models.front()->config.max_position_embeddings, "bench: --seq-lens exceeds the model's positions");
      const auto times = time_rounds(models, random_inputs(batch, length, vocab, options.seed + 1, device), options, device);
      for (std::size_t v = 0; v < models.size(); ++v) {
        BenchRow row{options.variants[v], batch, length, eval::percentile(times[v], 50),
                     *std::min_element(times[v].begin(), times[v].end()), *std::max_element(times[v].begin(), times[v].end()),
                     eval::percentile(times[fp32], 50) / eval::percentile(times[v], 50), eval::paired_speedup(times[fp32], times[v])};
        spdlog::info("bench {} batch {} seq {}: median {:.1f} ms (min {:.1f}, max {:.1f})", row.variant, batch, length,
                     row.median_ms, row.min_ms, row.max_ms);
        report.rows.push_back(row);
      }
    }
  }
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
                         {"speedup_vs_fp32", row.speedup_vs_fp32},
                         {"paired_speedup",
                          {{"median", row.paired.median}, {"low", row.paired.low}, {"high", row.paired.high},
                           {"confidence", row.paired.confidence}, {"rounds", row.paired.rounds}, {"measurable", row.paired.measurable()}}}});
  }
  nlohmann::json sizes_json = nlohmann::json::array();
  for (const auto& size : sizes) {
    sizes_json.push_back({{"variant", size.variant}, {"file_bytes", size.file_bytes}, {"encoder_bytes", size.encoder_bytes}});
  }
  auto record = runtime_record();
  record["rows"] = rows_json;
  record["sizes"] = sizes_json;
  record["timing"] = "variants interleaved: each round runs every variant once, in an order rotated per round";
  record["notes"] = notes;
  record["quantized_engine"] = quant::current_engine();
  record["started_at"] = utc_timestamp();
  return record;
}

std::string BenchReport::to_markdown() const {
  results::Table table({"variant", "batch", "seq", "median ms", "min ms", "max ms", "speed-up vs FP32", "95% interval"});
  for (const auto& row : rows) {
    const bool interval = row.paired.confidence > 0;
    table.add_row({row.variant, std::to_string(row.batch_size), std::to_string(row.sequence_length),
                   results::format_number(row.median_ms, 1), results::format_number(row.min_ms, 1),
                   results::format_number(row.max_ms, 1), results::format_number(row.speedup_vs_fp32, 2) + "x",
                   interval ? results::format_number(row.paired.low, 2) + "-" + results::format_number(row.paired.high, 2)
                            : "(fewer than 6 trials)"});
  }
  std::string text = table.to_markdown();
  results::Table size_table({"variant", "file MB", "encoder layers MB", "encoder vs FP32"});
  const BenchSize* fp32 = nullptr;
  for (const auto& size : sizes) fp32 = size.variant == "fp32" ? &size : fp32;
  for (const auto& size : sizes) {
    size_table.add_row({size.variant, results::format_number(size.file_bytes / 1048576.0, 1),
                        results::format_number(size.encoder_bytes / 1048576.0, 1),
                        fp32 && size.encoder_bytes > 0 ? results::format_number(static_cast<double>(fp32->encoder_bytes) / size.encoder_bytes, 2) + "x smaller" : ""});
  }
  text += "\n" + size_table.to_markdown();
  for (const auto& note : notes) text += "\nNote: " + note + "\n";
  return text;
}

}  // namespace tpq::pipeline
