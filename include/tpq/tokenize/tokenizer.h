// The tokenizer interface every model uses: text (or a text pair) -> BERT inputs with
// [CLS] A [SEP] (B [SEP]) layout, token type ids, attention mask, truncation and padding.
// Two implementations: WordPiece (HF BertTokenizer-exact) and sentencepiece (trained here).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tpq::tokenize {

struct Encoding {
  std::vector<std::string> tokens;       // including [CLS]/[SEP]/[PAD]
  std::vector<int64_t> input_ids;
  std::vector<int64_t> token_type_ids;   // 0 for A (and its [CLS]/[SEP]), 1 for B and its [SEP], 0 for pads
  std::vector<int64_t> attention_mask;   // 1 real, 0 pad
};

struct EncodeOptions {
  int64_t max_length = 512;        // total length including special tokens
  bool truncation = true;          // HF "longest_first" for pairs
  bool pad_to_max_length = false;  // pad with [PAD] up to max_length
};

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  virtual Encoding encode(const std::string& text, const std::optional<std::string>& text_pair,
                          const EncodeOptions& options) const = 0;
  // Word pieces of one text, without special tokens (no truncation).
  virtual std::vector<std::string> tokenize(const std::string& text) const = 0;

  virtual int64_t vocab_size() const = 0;
  virtual int64_t pad_id() const = 0;
  virtual int64_t cls_id() const = 0;
  virtual int64_t sep_id() const = 0;
  virtual int64_t unk_id() const = 0;
  virtual int64_t mask_id() const = 0;

  // "wordpiece" or "sentencepiece" — recorded in results and configs.
  virtual std::string kind() const = 0;
  // Writes the files needed to load this tokenizer again into dir (vocab.txt, or sentencepiece.model).
  virtual void save(const std::filesystem::path& dir) const = 0;
};

// Loads the tokenizer stored in a model directory: vocab.txt, else tokenizer.json (WordPiece),
// else sentencepiece.model. Lower-casing follows tokenizer_config.json / tokenizer.json
// (default: lower-case, as bert-base-uncased). UserError naming the directory if none is there.
std::unique_ptr<Tokenizer> load_tokenizer(const std::filesystem::path& model_dir);

}  // namespace tpq::tokenize
