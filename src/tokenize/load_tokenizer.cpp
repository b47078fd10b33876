// load_tokenizer(): picks the tokenizer a model directory holds — vocab.txt, else tokenizer.json
// (both WordPiece), else sentencepiece.model.
#include "tpq/core/error.h"
#include "tpq/tokenize/sentencepiece_tokenizer.h"
#include "tpq/tokenize/tokenizer.h"
#include "tpq/tokenize/wordpiece_tokenizer.h"

namespace tpq::tokenize {

std::unique_ptr<Tokenizer> load_tokenizer(const std::filesystem::path& model_dir) {
  require(std::filesystem::is_directory(model_dir),
          model_dir.string() + ": tokenizer directory not found — check the model path");
  if (std::filesystem::exists(model_dir / "vocab.txt")) return WordPieceTokenizer::from_vocab_txt(model_dir);
  if (std::filesystem::exists(model_dir / "tokenizer.json")) return WordPieceTokenizer::from_tokenizer_json(model_dir);
  if (std::filesystem::exists(model_dir / SentencePieceTokenizer::kModelFileName)) {
    return std::make_unique<SentencePieceTokenizer>(model_dir / SentencePieceTokenizer::kModelFileName);
  }
  throw UserError(model_dir.string() +
                  ": no tokenizer found (expected vocab.txt, tokenizer.json or sentencepiece.model) — copy the "
                  "pretrained tokenizer files there or train a sentencepiece vocab");
}

}  // namespace tpq::tokenize
