// Fuzzes loading a tokenizer from a model directory: WordPiece from tokenizer.json or vocab.txt, or
// byte-level BPE from vocab.json + merges.txt or tokenizer.json, each with optional config files.
// Input: the first byte picks the family (bit 2: BPE), its files (bit 0) and the optional
// tokenizer_config.json (bit 1) and special_tokens_map.json (bit 3, BPE); the rest is
// "<main file>\n--\n<tokenizer_config.json>\n--\n<merges.txt>\n--\n<special_tokens_map.json>".
// A tokenizer that loads must encode; a BPE one from vocab.json must save and reload to the same ids.
#include <cstdint>
#include <cstdlib>
#include <filesystem>

#include "fuzz_support.h"
#include "tpq/core/error.h"
#include "tpq/tokenize/bpe_tokenizer.h"
#include "tpq/tokenize/wordpiece_tokenizer.h"

namespace {

const std::string kText = "The film <mask> was unbelievably GREAT, 中文 [MASK]! don't  ";

std::unique_ptr<tpq::tokenize::Tokenizer> load_wordpiece(const std::filesystem::path& dir, bool use_vocab_txt,
                                                         const std::vector<std::string>& parts) {
  tpq::fuzz::write_file(dir / (use_vocab_txt ? "vocab.txt" : "tokenizer.json"), parts[0]);
  return use_vocab_txt ? tpq::tokenize::WordPieceTokenizer::from_vocab_txt(dir)
                       : tpq::tokenize::WordPieceTokenizer::from_tokenizer_json(dir);
}

std::unique_ptr<tpq::tokenize::Tokenizer> load_bpe(const std::filesystem::path& dir, bool use_tokenizer_json,
                                                   bool with_map, const std::vector<std::string>& parts) {
  if (with_map) tpq::fuzz::write_file(dir / "special_tokens_map.json", parts[3]);
  if (use_tokenizer_json) {
    tpq::fuzz::write_file(dir / "tokenizer.json", parts[0]);
    return tpq::tokenize::BpeTokenizer::from_tokenizer_json(dir);
  }
  tpq::fuzz::write_file(dir / "vocab.json", parts[0]);
  tpq::fuzz::write_file(dir / "merges.txt", parts[2]);
  return tpq::tokenize::BpeTokenizer::from_vocab_and_merges(dir);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const bool first_kind = data[0] & 1;  // WordPiece: vocab.txt; BPE: tokenizer.json
  const bool with_config = data[0] & 2;
  const bool bpe = data[0] & 4;
  const auto parts = tpq::fuzz::split_input(data + 1, size - 1, 4);
  const auto dir = tpq::fuzz::scratch_dir() / "model";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  if (with_config) tpq::fuzz::write_file(dir / "tokenizer_config.json", parts[1]);
  tpq::tokenize::EncodeOptions options;
  options.max_length = 16;
  options.pad_to_max_length = true;
  try {
    const auto tokenizer = bpe ? load_bpe(dir, first_kind, data[0] & 8, parts) : load_wordpiece(dir, first_kind, parts);
    const auto encoding = tokenizer->encode(kText, std::string("a pair"), options);
    for (const int64_t id : encoding.input_ids) {
      if (id < 0 || id >= tokenizer->vocab_size()) std::abort();
    }
    if (bpe && !first_kind) {
      tokenizer->save(dir / "saved");
      const auto reloaded = tpq::tokenize::BpeTokenizer::from_vocab_and_merges(dir / "saved");
      if (reloaded->encode(kText, std::string("a pair"), options).input_ids != encoding.input_ids) std::abort();
    }
  } catch (const tpq::UserError&) {
  }
  return 0;
}
