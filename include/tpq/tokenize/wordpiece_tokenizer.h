// WordPiece tokenizer, token-for-token identical to HF's BERT fast tokenizer: special tokens
// split off verbatim, BertNormalizer, BertPreTokenizer, greedy longest-match WordPiece.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tpq/tokenize/bert_normalizer.h"
#include "tpq/tokenize/encoding_layout.h"
#include "tpq/tokenize/special_token_splitter.h"
#include "tpq/tokenize/tokenizer.h"
#include "tpq/tokenize/vocab.h"

namespace tpq::tokenize {

struct WordPieceConfig {
  BertNormalizerOptions normalizer;
  std::string unk_token = "[UNK]";
  std::string cls_token = "[CLS]";
  std::string sep_token = "[SEP]";
  std::string pad_token = "[PAD]";
  std::string mask_token = "[MASK]";  // optional: mask_id() is -1 when the vocab lacks it
  std::string continuing_subword_prefix = "##";
  int64_t max_input_chars_per_word = 100;  // longer words become [UNK]
  // Further tokens matched verbatim in raw text (tokenizer.json added_tokens and the like).
  std::vector<std::string> additional_special_tokens;
  // tokenizer_config.json's tokenizer_class ("" when not given). DistilBERT's tokenizers return no
  // token_type_ids (model_input_names), so their layout has none.
  std::string tokenizer_class;

  bool has_token_type_ids() const { return tokenizer_class.rfind("DistilBert", 0) != 0; }
};

// Invalid UTF-8 never throws: malformed bytes become U+FFFD, which clean_text drops (as HF would
// after Python's errors="replace"). Known, deliberate simplifications versus HF: every added
// token is matched verbatim in the raw text (HF matches normalized=true ones after normalising;
// BERT's are all normalized=false) and lstrip/rstrip/single_word flags are ignored; character
// classes come from utf8proc's Unicode 15 tables (see unicode_classes.cpp).
class WordPieceTokenizer final : public Tokenizer {
 public:
  // `source` names the vocab's origin in error messages. UserError if [CLS]/[SEP]/[PAD]/[UNK]
  // (as named in config) are not in the vocab.
  WordPieceTokenizer(Vocab vocab, WordPieceConfig config, const std::string& source);

  // dir/vocab.txt, with dir/tokenizer_config.json applied if present.
  static std::unique_ptr<WordPieceTokenizer> from_vocab_txt(const std::filesystem::path& dir);
  // dir/tokenizer.json (model.vocab, normalizer flags, added_tokens), then tokenizer_config.json
  // keys that are present override the normaliser flags (as transformers' BertTokenizerFast).
  static std::unique_ptr<WordPieceTokenizer> from_tokenizer_json(const std::filesystem::path& dir);

  Encoding encode(const std::string& text, const std::optional<std::string>& text_pair,
                  const EncodeOptions& options) const override;
  std::vector<std::string> tokenize(const std::string& text) const override;
  // Piece ids of one text without special tokens or truncation. Never throws on any bytes.
  std::vector<int64_t> encode_pieces(std::string_view text) const;

  int64_t vocab_size() const override { return vocab_.size(); }
  int64_t pad_id() const override { return layout_.pad_id; }
  int64_t cls_id() const override { return layout_.prefix.front(); }
  int64_t sep_id() const override { return layout_.suffix.front(); }
  SpecialTokensLayout layout() const override { return layout_; }
  int64_t unk_id() const override { return unk_id_; }
  int64_t mask_id() const override { return mask_id_; }
  std::string kind() const override { return "wordpiece"; }
  // Writes vocab.txt and merges the normaliser flags / special tokens into tokenizer_config.json.
  void save(const std::filesystem::path& dir) const override;

  const Vocab& vocab() const { return vocab_; }
  const WordPieceConfig& config() const { return config_; }

 private:
  struct Scratch;  // per-thread buffers, so encoding allocates almost nothing per word
  void append_text_pieces(std::string_view text, Scratch& scratch, std::vector<int64_t>& ids) const;
  void append_word_pieces(std::u32string_view word, Scratch& scratch, std::vector<int64_t>& ids) const;

  Vocab vocab_;
  WordPieceConfig config_;
  BertNormalizer normalizer_;
  SpecialTokenSplitter special_splitter_;
  SpecialTokensLayout layout_;
  int64_t unk_id_ = -1;
  int64_t mask_id_ = -1;
};

}  // namespace tpq::tokenize
