// Tokenizer over a sentencepiece model trained here (unigram or BPE) when no pretrained vocab
// exists; fixed special ids and the same [CLS]/[SEP]/padding layout as WordPiece.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tpq/tokenize/encoding_layout.h"
#include "tpq/tokenize/sentencepiece_bridge.h"
#include "tpq/tokenize/tokenizer.h"

namespace tpq::tokenize {

struct SentencePieceTrainOptions {
  int64_t vocab_size = 8000;               // includes the 5 special pieces
  std::string model_type = "unigram";      // "unigram" or "bpe"
  int64_t input_sentence_size = 1000000;   // larger corpora are sampled (shuffled) down to this
  uint32_t seed = 1234;                    // same corpus + seed -> same model
  int num_threads = 0;                     // 0: all hardware threads
  double character_coverage = 0.9995;      // spm default for languages with small alphabets
  int64_t max_sentence_length = 65536;     // bytes; spm's 4192 default would skip long reviews
};

class SentencePieceTokenizer final : public Tokenizer {
 public:
  // Fixed by training (spm --pad_id/--unk_id/--user_defined_symbols).
  static constexpr int64_t kPadId = 0, kUnkId = 1, kClsId = 2, kSepId = 3, kMaskId = 4;
  static constexpr const char* kModelFileName = "sentencepiece.model";
  static constexpr const char* kVocabFileName = "sentencepiece.vocab";

  // Loads a model file. UserError when unreadable, invalid, or its special ids differ from above.
  explicit SentencePieceTokenizer(const std::filesystem::path& model_file);

  // Trains on in-memory texts (one "sentence" each) and writes output_dir/sentencepiece.model and
  // output_dir/sentencepiece.vocab (piece<TAB>score per line); returns the loaded tokenizer.
  static std::unique_ptr<SentencePieceTokenizer> train(const std::vector<std::string>& texts,
                                                       const std::filesystem::path& output_dir,
                                                       const SentencePieceTrainOptions& options);
  // Same from a corpus file, one sentence per line.
  static std::unique_ptr<SentencePieceTokenizer> train_from_file(const std::filesystem::path& corpus_file,
                                                                 const std::filesystem::path& output_dir,
                                                                 const SentencePieceTrainOptions& options);

  Encoding encode(const std::string& text, const std::optional<std::string>& text_pair,
                  const EncodeOptions& options) const override;
  std::vector<std::string> tokenize(const std::string& text) const override;
  // Piece ids of one text, no specials. Invalid UTF-8 is replaced by U+FFFD first.
  std::vector<int64_t> encode_pieces(const std::string& text) const;

  int64_t vocab_size() const override { return static_cast<int64_t>(id_to_piece_.size()); }
  int64_t pad_id() const override { return kPadId; }
  int64_t cls_id() const override { return kClsId; }
  int64_t sep_id() const override { return kSepId; }
  int64_t unk_id() const override { return kUnkId; }
  int64_t mask_id() const override { return kMaskId; }
  std::string kind() const override { return "sentencepiece"; }
  // Writes dir/sentencepiece.model (the bytes loaded) and dir/sentencepiece.vocab.
  void save(const std::filesystem::path& dir) const override;

  const std::vector<std::string>& pieces() const { return id_to_piece_; }

 private:
  static std::unique_ptr<SentencePieceTokenizer> train_impl(const std::vector<std::string>* texts,
                                                            const std::filesystem::path* corpus_file,
                                                            const std::filesystem::path& output_dir,
                                                            const SentencePieceTrainOptions& options);

  std::unique_ptr<SentencePieceModel> model_;
  std::string model_bytes_;                 // the .model file as loaded, for save()
  std::vector<std::string> id_to_piece_;    // id -> piece, e.g. "▁the"
};

}  // namespace tpq::tokenize
