#include "pipeline/workspace.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "tpq/core/error.h"
#include "tpq/core/hash.h"
#include "tpq/data/token_cache.h"
#include "tpq/eval/memory.h"
#include "tpq/io/atomic_file.h"
#include "tpq/tokenize/sentencepiece_tokenizer.h"

namespace tpq::pipeline {
namespace fs = std::filesystem;

std::string tokenizer_identity(const tokenize::Tokenizer& tokenizer) {
  const fs::path scratch = fs::temp_directory_path() / ("tpq-tokenizer-id-" + std::to_string(::getpid()));
  fs::remove_all(scratch);
  fs::create_directories(scratch);
  tokenizer.save(scratch);
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(scratch)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  std::string content;
  for (const auto& file : files) content += file.filename().string() + "\n" + io::read_file(file);
  fs::remove_all(scratch);
  return tokenizer.kind() + ":" + Hasher().text(content).hex();
}

std::shared_ptr<tokenize::Tokenizer> prepare_tokenizer(const ExperimentConfig& config, const data::Dataset& train,
                                                       const fs::path& pretrained_dir) {
  if (!pretrained_dir.empty()) return tokenize::load_tokenizer(pretrained_dir);
  if (config.model.tokenizer == "wordpiece") {
    const fs::path vocab(config.model.vocab_file);
    require(fs::is_regular_file(vocab), "model.vocab_file " + vocab.string() + ": not found");
    // load_tokenizer reads a directory; give it one holding just this vocabulary.
    const fs::path dir = config.cache_dir / ("wordpiece-" + Hasher().text(io::read_file(vocab)).hex());
    if (!fs::exists(dir / "vocab.txt")) {
      fs::create_directories(dir);
      io::write_file_atomic(dir / "vocab.txt", io::read_file(vocab));
    }
    return tokenize::load_tokenizer(dir);
  }
  std::string corpus_key = std::to_string(config.model.vocab_size) + config.model.sentencepiece_type;
  corpus_key += data::examples_content_hash(train);
  const fs::path dir = config.cache_dir / ("sentencepiece-" + Hasher().text(corpus_key).hex());
  if (fs::exists(dir / tokenize::SentencePieceTokenizer::kModelFileName)) {
    spdlog::info("sentencepiece vocabulary from cache: {}", dir.string());
    return tokenize::load_tokenizer(dir);
  }
  spdlog::info("training a {} sentencepiece vocabulary ({} pieces) on {} training texts", config.model.sentencepiece_type,
               config.model.vocab_size, train.size());
  std::vector<std::string> texts;
  texts.reserve(train.size());
  for (const auto& example : train.examples) {
    texts.push_back(example.text);
    if (example.text_pair) texts.push_back(*example.text_pair);
  }
  tokenize::SentencePieceTrainOptions options;
  options.vocab_size = config.model.vocab_size;
  options.model_type = config.model.sentencepiece_type;
  options.seed = static_cast<uint32_t>(config.run.seed);
  // Train into a staging dir, then rename: a killed run never leaves a half-trained cache entry.
  const fs::path staging = dir.string() + ".partial-" + std::to_string(::getpid());
  fs::remove_all(staging);
  fs::create_directories(staging);
  tokenize::SentencePieceTokenizer::train(texts, staging, options);
  fs::remove_all(dir);
  fs::rename(staging, dir);
  return tokenize::load_tokenizer(dir);
}

data::DatasetSplits load_splits(const ExperimentConfig& config) {
  auto splits = data::load_dataset(config.data);
  spdlog::info("dataset {}: train {}, validation {}, test {} ({} classes)", config.data.name, splits.train.size(),
               splits.validation.size(), splits.test.size(), splits.train.num_labels());
  for (const auto& note : splits.notes) spdlog::info("dataset note: {}", note);
  return splits;
}

PreparedData prepare_data(const ExperimentConfig& config, data::DatasetSplits splits, const tokenize::Tokenizer& tokenizer,
                          int64_t max_length) {
  PreparedData prepared;
  prepared.max_length = max_length;
  data::TokenCacheOptions cache;
  cache.cache_dir = config.cache_dir;
  cache.dataset_fingerprint = data::to_json(config.data).dump();
  cache.tokenizer_identity = tokenizer_identity(tokenizer);
  cache.threads = std::max(1, config.run.threads);
  const auto& cut = config.data.truncation;
  prepared.train = data::tokenize_split_cached(splits.train, "train", tokenizer, max_length, cache, cut);
  prepared.validation = data::tokenize_split_cached(splits.validation, "validation", tokenizer, max_length, cache, cut);
  prepared.test = data::tokenize_split_cached(splits.test, "test", tokenizer, max_length, cache, cut);
  prepared.splits = std::move(splits);
  return prepared;
}

results::MetricsSection metrics_section(const eval::ClassificationMetrics& m) {
  return {m.accuracy, m.f1, m.precision, m.recall, m.macro_f1, m.macro_precision, m.macro_recall, m.loss, m.count,
          m.confusion_matrix};
}

results::SizeSection size_section(const eval::ModelSize& s) {
  return {s.file_bytes, s.file_mb(), s.weights_bytes, s.weights_bytes / (1024.0 * 1024.0), s.params, s.nonzero_params, s.sparsity()};
}

results::SpeedSection speed_section(const eval::SpeedResult& s) {
  results::SpeedSection speed;
  speed.latency_ms_p50 = s.latency_ms_p50;
  speed.latency_ms_p95 = s.latency_ms_p95;
  speed.latency_ms_mean = s.latency_ms_mean;
  speed.throughput_samples_s = s.throughput_samples_per_second;
  speed.batch_ms_mean = s.batch_ms_mean;
  speed.batch_size = s.options.throughput_batch_size;
  speed.latency_samples = s.options.latency_samples;
  speed.throughput_batches = s.options.throughput_batches;
  speed.warmup = s.options.warmup;
  speed.threads = s.threads;
  speed.device = s.device;
  return speed;
}

VariantMeasurement measure_variant(model::EncoderClassifierImpl& model, const fs::path& model_dir,
                                   const data::TokenizedSplit& test, int64_t num_labels, const ExperimentConfig& config,
                                   torch::Device device, bool time_alone, dist::ProcessGroup* group) {
  VariantMeasurement measurement;
  const eval::PhaseMemoryMeter memory("evaluation");  // memory freed by earlier training must not count
  measurement.evaluation = eval::evaluate(model, test, num_labels, config.training.eval_batch_size, device, group);
  if (time_alone) measurement.speed = eval::measure_speed(model, test, config.evaluation, device);
  const auto used = memory.finish();
  measurement.peak_rss_mb = used.peak_rss_mb;
  measurement.peak_rss_is_evaluation_only = used.peak_is_phase_only;
  measurement.size = eval::measure_model_size(model, model_dir);
  return measurement;
}

results::RunRecord make_record(const std::string& experiment, const std::string& variant,
                               const VariantMeasurement& measurement, const ExperimentConfig& config,
                               torch::Device device) {
  results::RunRecord record;
  record.experiment = experiment;
  record.variant = variant;
  record.metrics = metrics_section(measurement.evaluation.metrics);
  record.size = size_section(measurement.size);
  record.speed = speed_section(measurement.speed);
  record.memory = {measurement.peak_rss_mb, measurement.peak_rss_is_evaluation_only ? "evaluation" : "process lifetime", {}};
  record.config = config.to_json();
  record.provenance = results::Provenance::of_this_process();
  record.provenance.seed = config.run.seed;
  record.provenance.device = device.str();
  return record;
}

}  // namespace tpq::pipeline
