// tokenize_split(): encodes a split's examples into flat int32 arrays with worker threads (the
// Tokenizer's const methods are thread-safe), and the examples' content hash used in cache keys.
#include "tpq/data/tokenized_split.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>
#include <thread>

#include "tpq/core/hash.h"
#include "data/split.h"

namespace tpq::data {

namespace {

void append_row(TokenizedSplit& out, const TokenizedSplit& split, std::size_t row) {
  const std::size_t length = split.length(row);
  out.input_ids.insert(out.input_ids.end(), split.ids_of(row), split.ids_of(row) + length);
  out.token_type_ids.insert(out.token_type_ids.end(), split.types_of(row), split.types_of(row) + length);
  out.offsets.push_back(out.input_ids.size());
  out.labels.push_back(split.labels[row]);
}

TokenizedSplit empty_like(const TokenizedSplit& split) {
  TokenizedSplit out;
  out.pad_id = split.pad_id;
  out.max_length = split.max_length;
  return out;
}

}  // namespace

TokenizedSplit seeded_sample(const TokenizedSplit& split, int64_t count, uint64_t seed) {
  std::vector<std::size_t> order(split.size());
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 generator(seed);
  seeded_shuffle(order, generator);
  TokenizedSplit sample = empty_like(split);
  for (int64_t i = 0; i < count && !order.empty(); ++i) append_row(sample, split, order[static_cast<std::size_t>(i) % order.size()]);
  return sample;
}

TokenizedSplit head_of(const TokenizedSplit& split, int64_t n) {
  if (n <= 0 || static_cast<std::size_t>(n) >= split.size()) return split;
  TokenizedSplit head = empty_like(split);
  for (std::size_t row = 0; row < static_cast<std::size_t>(n); ++row) append_row(head, split, row);
  return head;
}

void TokenizedSplit::append(const std::vector<int64_t>& ids, const std::vector<int64_t>& types, int64_t label) {
  if (ids.size() != types.size()) throw std::logic_error("tokenizer returned ids and type ids of different lengths");
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0 || ids[i] > std::numeric_limits<int32_t>::max()) {
      throw std::logic_error("token id " + std::to_string(ids[i]) + " does not fit the int32 token cache");
    }
    input_ids.push_back(static_cast<int32_t>(ids[i]));
    token_type_ids.push_back(static_cast<int32_t>(types[i]));
  }
  offsets.push_back(input_ids.size());
  labels.push_back(label);
}

TokenizedSplit tokenize_split(const Dataset& split, const tokenize::Tokenizer& tokenizer, int64_t max_length,
                              int threads, const tokenize::Truncation& cut) {
  const std::size_t count = split.size();
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const std::size_t workers = std::max<std::size_t>(1, std::min<std::size_t>(threads, count / 32 + 1));
  const std::size_t chunk = (count + workers - 1) / workers;
  tokenize::EncodeOptions options;
  options.max_length = max_length;
  options.truncation = true;
  options.cut = cut;
  options.pad_to_max_length = false;

  // Each worker fills its own part; parts are joined in order so the result is thread-count free.
  std::vector<TokenizedSplit> parts(workers);
  std::vector<std::exception_ptr> errors(workers);
  const auto work = [&](std::size_t worker) {
    try {
      const std::size_t end = std::min(count, (worker + 1) * chunk);
      for (std::size_t i = worker * chunk; i < end; ++i) {
        const Example& example = split.examples[i];
        const auto encoding = tokenizer.encode(example.text, example.text_pair, options);
        parts[worker].append(encoding.input_ids, encoding.token_type_ids, example.label);
      }
    } catch (...) {
      errors[worker] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t worker = 1; worker < workers; ++worker) pool.emplace_back(work, worker);
  work(0);
  for (auto& thread : pool) thread.join();
  for (const auto& error : errors) {
    if (error) std::rethrow_exception(error);
  }

  TokenizedSplit result;
  result.pad_id = tokenizer.pad_id();
  result.max_length = max_length;
  for (const auto& part : parts) {
    const uint64_t base = result.input_ids.size();
    result.input_ids.insert(result.input_ids.end(), part.input_ids.begin(), part.input_ids.end());
    result.token_type_ids.insert(result.token_type_ids.end(), part.token_type_ids.begin(), part.token_type_ids.end());
    result.labels.insert(result.labels.end(), part.labels.begin(), part.labels.end());
    for (std::size_t i = 1; i < part.offsets.size(); ++i) result.offsets.push_back(base + part.offsets[i]);
  }
  return result;
}

std::string examples_content_hash(const Dataset& split) {
  Hasher hasher;
  hasher.number(split.size());
  for (const auto& example : split.examples) {
    hasher.text(example.text);
    hasher.number(example.text_pair ? 1 : 0);
    if (example.text_pair) hasher.text(*example.text_pair);
    hasher.number(static_cast<uint64_t>(example.label));
  }
  return hasher.hex();
}

}  // namespace tpq::data
