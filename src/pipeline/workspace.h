// Steps every experiment shares: get a tokenizer (pretrained, or trained and cached), load and
// tokenize the dataset (cached), and measure a model variant the same way for every table row.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <torch/types.h>

#include "tpq/data/dataset_spec.h"
#include "tpq/data/tokenized_split.h"
#include "tpq/eval/evaluator.h"
#include "tpq/eval/model_size.h"
#include "tpq/eval/speed.h"
#include "tpq/pipeline/experiment_config.h"
#include "tpq/results/run_record.h"
#include "tpq/tokenize/tokenizer.h"

namespace tpq::pipeline {

struct PreparedData {
  data::DatasetSplits splits;
  data::TokenizedSplit train;
  data::TokenizedSplit validation;
  data::TokenizedSplit test;
  int64_t max_length = 0;
  std::vector<std::string> label_names() const { return splits.train.label_names; }
};

// A stable identity of a tokenizer's vocabulary (kind + hash of its saved files), for cache keys.
std::string tokenizer_identity(const tokenize::Tokenizer& tokenizer);

// From scratch (pretrained_dir empty): trains sentencepiece on the training texts (cached under
// cache_dir by content), or loads model.vocab_file. Pretrained: the checkpoint's own tokenizer.
std::shared_ptr<tokenize::Tokenizer> prepare_tokenizer(const ExperimentConfig& config, const data::Dataset& train,
                                                       const std::filesystem::path& pretrained_dir);

data::DatasetSplits load_splits(const ExperimentConfig& config);

// Tokenizes all three splits (cached) at max_length.
PreparedData prepare_data(const ExperimentConfig& config, data::DatasetSplits splits,
                          const tokenize::Tokenizer& tokenizer, int64_t max_length);

struct VariantMeasurement {
  eval::EvaluationResult evaluation;
  eval::SpeedResult speed;
  eval::ModelSize size;
  double peak_rss_mb = 0;
  bool peak_rss_is_evaluation_only = false;  // false: process-lifetime peak (kernel refused a reset)
};

// Test-set metrics, real on-disk size of model_dir, peak RSS and, when `time_alone`, speed on the
// test inputs (rows that are timed side by side later leave speed to that; see VariantTable).
// With a process group every rank evaluates its shard and all get the whole split's metrics.
VariantMeasurement measure_variant(model::EncoderClassifierImpl& model, const std::filesystem::path& model_dir,
                                   const data::TokenizedSplit& test, int64_t num_labels, const ExperimentConfig& config,
                                   torch::Device device, bool time_alone = true, dist::ProcessGroup* group = nullptr);

// The results sections of the eval measurements (results/run_record.h).
results::MetricsSection metrics_section(const eval::ClassificationMetrics& metrics);
results::SizeSection size_section(const eval::ModelSize& size);
results::SpeedSection speed_section(const eval::SpeedResult& speed);

// A RunRecord filled from a measurement (metrics, size, speed, memory, config, seed, device).
results::RunRecord make_record(const std::string& experiment, const std::string& variant,
                               const VariantMeasurement& measurement, const ExperimentConfig& config,
                               torch::Device device);

}  // namespace tpq::pipeline
