// The tokenizer interface every model uses: text (or a text pair) -> model inputs laid out by the
// tokenizer's SpecialTokensLayout ([CLS] A [SEP] B [SEP] or <s> A </s></s> B </s>), token type ids,
// attention mask, truncation and padding. Implementations: WordPiece (HF BertTokenizer-exact),
// byte-level BPE (HF RobertaTokenizer-exact) and sentencepiece (trained here).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tpq/tokenize/special_tokens_layout.h"

namespace tpq::tokenize {

struct Encoding {
  std::vector<std::string> tokens;       // including the specials ([CLS]/[SEP]/[PAD], <s>/</s>/<pad>)
  std::vector<int64_t> input_ids;
  // 0 for A (and its [CLS]/[SEP]), 1 for B and its [SEP], 0 for pads; all 0 when the layout has no
  // token types (RoBERTa): then the model should not take them (see layout().has_token_type_ids).
  std::vector<int64_t> token_type_ids;
  std::vector<int64_t> attention_mask;   // 1 real, 0 pad
};

// Which pieces of an over-long text survive truncation. kHead is HF's default (truncation_side
// "right") and kTail its truncation_side "left". kHeadTail keeps `head_tokens` pieces from the start
// and fills the rest from the end: Sun et al. 2019 ("How to Fine-Tune BERT for Text
// Classification") found it the best cut on IMDB, where a review's verdict often closes it.
// For a pair, each text is cut this way to the length the pair rule gives it.
struct Truncation {
  enum class Keep { kHead, kTail, kHeadTail };
  static constexpr int64_t kDefaultHeadTokens = 64;  // data.truncation_head_tokens, --head-tokens
  Keep keep = Keep::kHead;
  int64_t head_tokens = 0;  // kHeadTail only

  // "head", "tail" or "head_tail"; parse() names `where` and the choices in its UserError.
  std::string name() const;
  static Truncation parse(const std::string& name, int64_t head_tokens, const std::string& where);
  // Piece ids kept when `ids` must fit `length` (ids unchanged when they already fit).
  void cut(std::vector<int64_t>& ids, size_t length) const;
};

struct EncodeOptions {
  int64_t max_length = 512;        // total length including special tokens
  bool truncation = true;          // HF "longest_first" for pairs (the layout says whose rule)
  Truncation cut;                  // which pieces survive
  bool pad_to_max_length = false;  // pad with the pad id up to max_length
};

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  virtual Encoding encode(const std::string& text, const std::optional<std::string>& text_pair,
                          const EncodeOptions& options) const = 0;
  // Word pieces of one text, without special tokens (no truncation).
  virtual std::vector<std::string> tokenize(const std::string& text) const = 0;

  virtual int64_t vocab_size() const = 0;  // every id the model may see, added tokens included
  virtual int64_t pad_id() const = 0;     // [PAD] / <pad>
  virtual int64_t cls_id() const = 0;     // first token of every input: [CLS] / <s>
  virtual int64_t sep_id() const = 0;     // [SEP] / </s>
  virtual int64_t unk_id() const = 0;
  virtual int64_t mask_id() const = 0;    // -1 when the vocabulary has none

  // Where the specials go. The default is BERT's, from cls_id/sep_id/pad_id.
  virtual SpecialTokensLayout layout() const { return SpecialTokensLayout::bert(cls_id(), sep_id(), pad_id()); }
  // tokenizer_config.json's model_max_length, when the files give a usable one.
  virtual std::optional<int64_t> model_max_length() const { return std::nullopt; }

  // "wordpiece", "bpe" or "sentencepiece" — recorded in results and configs.
  virtual std::string kind() const = 0;
  // Writes the files needed to load this tokenizer again into dir (vocab.txt, vocab.json + merges.txt,
  // or sentencepiece.model).
  virtual void save(const std::filesystem::path& dir) const = 0;
};

// Loads the tokenizer stored in a model directory: vocab.txt (WordPiece), else vocab.json + merges.txt
// (byte-level BPE), else tokenizer.json (WordPiece or BPE, by model.type), else sentencepiece.model.
// Options follow tokenizer_config.json / special_tokens_map.json as transformers reads them.
// UserError naming the directory if none is there.
std::unique_ptr<Tokenizer> load_tokenizer(const std::filesystem::path& model_dir);

}  // namespace tpq::tokenize
