// Dataset statistics for the report (dataset_stats.json): split sizes, class counts, token and
// character length distributions, truncation rate at max_length and a few sample texts per class.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "tpq/data/example.h"

namespace tpq::data {

// Number of tokens in one text, without special tokens (e.g. tokenizer.tokenize(text).size()).
// Called from several threads at once when StatsOptions::threads > 1, so it must be thread-safe.
using TokenCounter = std::function<std::size_t(const std::string&)>;

struct StatsOptions {
  int64_t max_length = 512;           // the model's sequence length (special tokens included)
  std::size_t samples_per_class = 3;  // sample texts per class, from train
  std::size_t sample_chars = 200;     // characters (UTF-8 code points) kept per sample
  int threads = 2;
};

// Token length of an example = counted tokens of text (+ pair) + special tokens ([CLS] A [SEP]
// (B [SEP])), i.e. the length before truncation. Percentiles use the nearest-rank method.
nlohmann::json dataset_stats(const DatasetSplits& splits, const TokenCounter& count_tokens,
                             const StatsOptions& options = {});

// A counter splitting on ASCII whitespace; for tests and tokenizer-free summaries.
std::size_t count_whitespace_tokens(const std::string& text);

}  // namespace tpq::data
