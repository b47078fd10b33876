// Fuzzes loading a WordPiece tokenizer from a model directory: tokenizer.json (HF fast tokenizer),
// or vocab.txt, each with an optional tokenizer_config.json. Input: first byte picks the file kind,
// the rest is "<main file>\n--\n<tokenizer_config.json>". A tokenizer that loads must encode.
#include <cstdint>
#include <filesystem>

#include "fuzz_support.h"
#include "tpq/core/error.h"
#include "tpq/tokenize/wordpiece_tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const bool use_vocab_txt = data[0] & 1;
  const bool with_config = data[0] & 2;
  const auto parts = tpq::fuzz::split_input(data + 1, size - 1, 2);
  const auto dir = tpq::fuzz::scratch_dir() / "model";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  tpq::fuzz::write_file(dir / (use_vocab_txt ? "vocab.txt" : "tokenizer.json"), parts[0]);
  if (with_config) tpq::fuzz::write_file(dir / "tokenizer_config.json", parts[1]);
  try {
    const auto tokenizer = use_vocab_txt ? tpq::tokenize::WordPieceTokenizer::from_vocab_txt(dir)
                                         : tpq::tokenize::WordPieceTokenizer::from_tokenizer_json(dir);
    tpq::tokenize::EncodeOptions options;
    options.max_length = 16;
    options.pad_to_max_length = true;
    tokenizer->encode("The film was unbelievably GREAT, 中文 [MASK]!", std::string("a pair"), options);
  } catch (const tpq::UserError&) {
  }
  return 0;
}
