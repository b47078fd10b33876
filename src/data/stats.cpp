// dataset_stats(): sizes, class counts, token/char length distributions (nearest-rank percentiles),
// truncation rate, duplicate texts across splits and sample texts, as JSON for dataset_stats.json.
#include "tpq/data/stats.h"

#include <algorithm>
#include <numeric>
#include <thread>
#include <unordered_set>

namespace tpq::data {
namespace {

std::size_t count_code_points(const std::string& text) {
  // Every byte except UTF-8 continuation bytes (10xxxxxx) starts a code point.
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string first_code_points(const std::string& text, std::size_t limit) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && seen++ == limit) return text.substr(0, i);
  }
  return text;
}

// Nearest rank: the smallest value with at least p% of the values <= it.
std::size_t percentile(const std::vector<std::size_t>& sorted, std::size_t percent) {
  const std::size_t rank = (percent * sorted.size() + 99) / 100;
  return sorted[rank == 0 ? 0 : rank - 1];
}

nlohmann::json distribution(std::vector<std::size_t> values) {
  if (values.empty()) return nullptr;
  std::sort(values.begin(), values.end());
  const double sum = std::accumulate(values.begin(), values.end(), 0.0);
  return {{"mean", sum / static_cast<double>(values.size())},
          {"min", values.front()},
          {"p50", percentile(values, 50)},
          {"p90", percentile(values, 90)},
          {"p95", percentile(values, 95)},
          {"p99", percentile(values, 99)},
          {"max", values.back()}};
}

// Untruncated model length of every example: tokens of text (+ pair) + [CLS]/[SEP]s.
std::vector<std::size_t> token_lengths(const Dataset& split, const TokenCounter& count_tokens, int threads) {
  std::vector<std::size_t> lengths(split.size());
  const auto work = [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      const Example& example = split.examples[i];
      std::size_t length = count_tokens(example.text) + 2;
      if (example.text_pair) length += count_tokens(*example.text_pair) + 1;
      lengths[i] = length;
    }
  };
  const std::size_t workers = std::max<std::size_t>(1, std::min<std::size_t>(threads, split.size() / 64 + 1));
  std::vector<std::thread> pool;
  const std::size_t chunk = (split.size() + workers - 1) / workers;
  for (std::size_t w = 1; w < workers; ++w) {
    pool.emplace_back(work, std::min(split.size(), w * chunk), std::min(split.size(), (w + 1) * chunk));
  }
  work(0, std::min(split.size(), chunk));
  for (auto& thread : pool) thread.join();
  return lengths;
}

nlohmann::json split_stats(const Dataset& split, const TokenCounter& count_tokens, const StatsOptions& options) {
  nlohmann::json class_counts = nlohmann::json::object();
  std::vector<std::size_t> counts(split.label_names.size(), 0);
  std::vector<std::size_t> char_lengths;
  char_lengths.reserve(split.size());
  for (const auto& example : split.examples) {
    if (example.label >= 0 && static_cast<std::size_t>(example.label) < counts.size()) ++counts[example.label];
    char_lengths.push_back(count_code_points(example.text) +
                           (example.text_pair ? count_code_points(*example.text_pair) : 0));
  }
  for (std::size_t c = 0; c < counts.size(); ++c) class_counts[split.label_names[c]] = counts[c];
  const auto lengths = token_lengths(split, count_tokens, options.threads);
  const auto truncated = static_cast<std::size_t>(std::count_if(
      lengths.begin(), lengths.end(), [&](std::size_t length) { return static_cast<int64_t>(length) > options.max_length; }));
  return {{"size", split.size()},
          {"class_counts", class_counts},
          {"token_length", distribution(lengths)},
          {"truncated", truncated},
          {"truncation_rate", split.size() ? static_cast<double>(truncated) / static_cast<double>(split.size()) : 0.0},
          {"char_length", distribution(std::move(char_lengths))}};
}

nlohmann::json duplicate_stats(const DatasetSplits& splits) {
  std::unordered_set<std::string> train_texts;
  std::size_t within_train = 0;
  for (const auto& example : splits.train.examples) within_train += !train_texts.insert(example.text).second;
  const auto seen_in_train = [&](const Dataset& split) {
    return std::count_if(split.examples.begin(), split.examples.end(),
                         [&](const Example& example) { return train_texts.count(example.text) > 0; });
  };
  return {{"within_train", within_train},
          {"validation_texts_in_train", seen_in_train(splits.validation)},
          {"test_texts_in_train", seen_in_train(splits.test)}};
}

nlohmann::json samples(const Dataset& train, const StatsOptions& options) {
  nlohmann::json by_class = nlohmann::json::object();
  for (std::size_t c = 0; c < train.label_names.size(); ++c) {
    nlohmann::json picked = nlohmann::json::array();
    for (const auto& example : train.examples) {
      if (picked.size() >= options.samples_per_class) break;
      if (example.label != static_cast<int64_t>(c)) continue;
      nlohmann::json sample = {{"text", first_code_points(example.text, options.sample_chars)}};
      if (example.text_pair) sample["text_pair"] = first_code_points(*example.text_pair, options.sample_chars);
      picked.push_back(std::move(sample));
    }
    by_class[train.label_names[c]] = std::move(picked);
  }
  return by_class;
}

}  // namespace

std::size_t count_whitespace_tokens(const std::string& text) {
  std::size_t count = 0;
  bool in_token = false;
  for (char c : text) {
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    if (!space && !in_token) ++count;
    in_token = !space;
  }
  return count;
}

nlohmann::json dataset_stats(const DatasetSplits& splits, const TokenCounter& count_tokens, const StatsOptions& options) {
  nlohmann::json stats;
  stats["dataset"] = splits.train.name;
  stats["label_names"] = splits.train.label_names;
  stats["notes"] = splits.notes;
  stats["max_length"] = options.max_length;
  stats["token_length_definition"] =
      "tokens of text (+ text_pair) plus special tokens ([CLS], [SEP]), before truncation";
  stats["percentile_method"] = "nearest-rank";
  stats["total"] = splits.train.size() + splits.validation.size() + splits.test.size();
  stats["splits"] = {{"train", split_stats(splits.train, count_tokens, options)},
                     {"validation", split_stats(splits.validation, count_tokens, options)},
                     {"test", split_stats(splits.test, count_tokens, options)}};
  stats["duplicate_texts"] = duplicate_stats(splits);
  stats["samples"] = samples(splits.train, options);
  return stats;
}

}  // namespace tpq::data
