// Fuzzes byte-level BPE encoding of arbitrary bytes (invalid UTF-8, every Unicode class the GPT-2
// regex tells apart, special tokens with their whitespace rules) with a small vocabulary: encoding
// never throws for max_length >= 4, ids stay inside the vocab and the layout keeps its length.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include "fuzz_support.h"
#include "tpq/tokenize/bpe_tokenizer.h"
#include "tpq/tokenize/byte_level.h"

namespace {

const tpq::tokenize::BpeTokenizer& tokenizer(bool prefix_space) {
  static const auto make = [](bool add_prefix_space) {
    tpq::tokenize::BpeVocabulary vocabulary;
    vocabulary.tokens = {"<s>", "<pad>", "</s>", "<unk>"};
    for (int byte = 0; byte < 256; ++byte) {
      vocabulary.tokens.emplace_back();
      tpq::tokenize::append_byte_level(std::string(1, static_cast<char>(byte)), vocabulary.tokens.back());
    }
    vocabulary.merges = {{"Ġ", "t"}, {"h", "e"}, {"Ġt", "he"}, {"i", "n"}, {"a", "a"}, {"aa", "a"}, {"Ã", "©"}};
    for (const auto& [left, right] : vocabulary.merges) vocabulary.tokens.push_back(left + right);
    vocabulary.tokens.emplace_back("<mask>");
    vocabulary.model_vocab_size = vocabulary.tokens.size();
    tpq::tokenize::BpeConfig config;
    config.add_prefix_space = add_prefix_space;
    config.additional_special_tokens = {{"<extra>", false, false, /*plain=*/true}};
    return tpq::tokenize::BpeTokenizer(vocabulary, config, "fuzz vocab");
  };
  static const auto plain = make(false);
  static const auto prefixed = make(true);
  return prefix_space ? prefixed : plain;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const bool prefix_space = data[0] & 1;
  const bool pad = data[0] & 2;
  const bool has_pair = data[0] & 4;
  tpq::tokenize::EncodeOptions options;
  options.max_length = 4 + data[1] % 64;
  options.pad_to_max_length = pad;
  const auto parts = tpq::fuzz::split_input(data + 2, size - 2, 2);
  const std::optional<std::string> pair = has_pair ? std::optional<std::string>(parts[1]) : std::nullopt;
  const auto& bpe = tokenizer(prefix_space);

  const auto encoding = bpe.encode(parts[0], pair, options);
  const auto n = encoding.input_ids.size();
  if (n > static_cast<std::size_t>(options.max_length) || (pad && n != static_cast<std::size_t>(options.max_length))) {
    std::abort();
  }
  if (encoding.tokens.size() != n || encoding.token_type_ids.size() != n || encoding.attention_mask.size() != n) {
    std::abort();
  }
  for (const int64_t id : encoding.input_ids) {
    if (id < 0 || id >= bpe.vocab_size()) std::abort();
  }
  // Cached and uncached encodings agree: a second call is served from the word cache.
  if (bpe.encode_pieces(parts[0]) != bpe.encode_pieces(parts[0])) std::abort();
  return 0;
}
