// load_tokenizer(): picks the tokenizer a model directory holds — vocab.txt (WordPiece), else
// vocab.json + merges.txt (byte-level BPE), else tokenizer.json by its model.type, else sentencepiece.model.
#include "json_fields.h"
#include "tpq/core/error.h"
#include "tpq/tokenize/bpe_tokenizer.h"
#include "tpq/tokenize/sentencepiece_tokenizer.h"
#include "tpq/tokenize/tokenizer.h"
#include "tpq/tokenize/wordpiece_tokenizer.h"

namespace tpq::tokenize {
namespace {

// tokenizer.json's model.type; a model without one is BPE when it has merges (older files), else WordPiece.
std::string tokenizer_json_model_type(const std::filesystem::path& path) {
  const nlohmann::json tokenizer = read_json(path);
  if (!tokenizer.is_object() || !tokenizer.contains("model")) return "WordPiece";  // its loader names the problem
  const nlohmann::json& model = tokenizer["model"];
  return type_text(model, model.is_object() && model.contains("merges") ? "BPE" : "WordPiece");
}

}  // namespace

std::unique_ptr<Tokenizer> load_tokenizer(const std::filesystem::path& model_dir) {
  require(std::filesystem::is_directory(model_dir),
          model_dir.string() + ": tokenizer directory not found — check the model path");
  if (std::filesystem::exists(model_dir / "vocab.txt")) return WordPieceTokenizer::from_vocab_txt(model_dir);
  if (std::filesystem::exists(model_dir / "vocab.json") || std::filesystem::exists(model_dir / "merges.txt")) {
    return BpeTokenizer::from_vocab_and_merges(model_dir);  // names whichever of the two is missing
  }
  if (std::filesystem::exists(model_dir / "tokenizer.json")) {
    const std::string type = tokenizer_json_model_type(model_dir / "tokenizer.json");
    if (type == "BPE") return BpeTokenizer::from_tokenizer_json(model_dir);
    require(type == "WordPiece", (model_dir / "tokenizer.json").string() + ": model.type '" + type +
                                     "' is not supported — tpq reads WordPiece and byte-level BPE tokenizers");
    return WordPieceTokenizer::from_tokenizer_json(model_dir);
  }
  if (std::filesystem::exists(model_dir / SentencePieceTokenizer::kModelFileName)) {
    return std::make_unique<SentencePieceTokenizer>(model_dir / SentencePieceTokenizer::kModelFileName);
  }
  throw UserError(model_dir.string() +
                  ": no tokenizer found (expected vocab.txt, vocab.json + merges.txt, tokenizer.json or "
                  "sentencepiece.model) — copy the pretrained tokenizer files there or train a sentencepiece vocab");
}

}  // namespace tpq::tokenize
