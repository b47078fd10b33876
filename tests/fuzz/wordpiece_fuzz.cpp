// Fuzzes WordPiece encoding of arbitrary bytes (invalid UTF-8, control and CJK characters, special
// tokens in the text) with a small vocab. Encoding never throws for max_length >= 3 (room for
// [CLS] A [SEP]), ids stay inside the vocab and the layout keeps the requested length.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include "fuzz_support.h"
#include "tpq/core/error.h"
#include "tpq/tokenize/wordpiece_tokenizer.h"

namespace {

const tpq::tokenize::WordPieceTokenizer& tokenizer(bool lowercase) {
  static const auto make = [](bool lower) {
    std::vector<std::string> tokens = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "film", "was", "great",
                                       "##s", "##ly", "##ing", "un", "##believ", "##able", "a", "b", "##a", "##b",
                                       ",", ".", "!", "中", "é", "e", "##é", "[", "]"};
    tpq::tokenize::WordPieceConfig config;
    config.normalizer.lowercase = lower;
    config.additional_special_tokens = {"<extra>"};
    tokens.push_back("<extra>");
    return tpq::tokenize::WordPieceTokenizer(tpq::tokenize::Vocab(tokens, "fuzz vocab"), config, "fuzz vocab");
  };
  static const auto lower = make(true);
  static const auto cased = make(false);
  return lowercase ? lower : cased;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const bool lowercase = data[0] & 1;
  const bool pad = data[0] & 2;
  const bool has_pair = data[0] & 4;
  tpq::tokenize::EncodeOptions options;
  options.max_length = 3 + data[1] % 64;
  options.pad_to_max_length = pad;
  const auto parts = tpq::fuzz::split_input(data + 2, size - 2, 2);
  const std::optional<std::string> pair = has_pair ? std::optional<std::string>(parts[1]) : std::nullopt;
  const auto& wordpiece = tokenizer(lowercase);

  const auto encoding = wordpiece.encode(parts[0], pair, options);
  const auto n = encoding.input_ids.size();
  if (n > static_cast<std::size_t>(options.max_length) || (pad && n != static_cast<std::size_t>(options.max_length))) {
    std::abort();
  }
  if (encoding.tokens.size() != n || encoding.token_type_ids.size() != n || encoding.attention_mask.size() != n) {
    std::abort();
  }
  for (const int64_t id : encoding.input_ids) {
    if (id < 0 || id >= wordpiece.vocab_size()) std::abort();
  }
  for (const int64_t id : wordpiece.encode_pieces(parts[0])) {
    if (id < 0 || id >= wordpiece.vocab_size()) std::abort();
  }
  if (wordpiece.tokenize(parts[0]).size() != wordpiece.encode_pieces(parts[0]).size()) std::abort();
  return 0;
}
