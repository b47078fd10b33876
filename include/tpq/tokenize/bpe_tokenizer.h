// Byte-level BPE tokenizer (RoBERTa, GPT-2 vocabularies), id-for-id identical to transformers' slow
// RobertaTokenizer: added/special tokens split out, GPT-2 regex, byte-to-unicode table, ranked merges.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tpq/tokenize/bpe_model.h"
#include "tpq/tokenize/special_token_splitter.h"
#include "tpq/tokenize/tokenizer.h"
#include "tpq/tokenize/vocab.h"

namespace tpq::tokenize {

// A special or added token as transformers holds it: an AddedToken (a JSON object in the files) with
// its strip flags, or a plain string, around which the slow tokenizer strips whitespace on both sides.
struct BpeAddedToken {
  std::string content;
  bool lstrip = false;       // eats the whitespace on its left (RoBERTa's <mask>)
  bool rstrip = false;       // eats the whitespace on its right
  bool plain = false;        // a plain string, not an AddedToken: strips both sides
  bool single_word = false;  // kept for saving; the slow tokenizer ignores it
  bool normalized = true;    // kept for saving; byte-level BPE has no normaliser

  bool strips_left() const { return plain || lstrip; }
  bool strips_right() const { return plain || rstrip; }
};

// What tokenizer_config.json / special_tokens_map.json (or tokenizer.json) say; defaults are
// RobertaTokenizer's.
struct BpeConfig {
  bool add_prefix_space = false;  // " " before a text that does not start with whitespace
  bool trim_offsets = true;       // concerns offsets only, which tpq does not produce; kept for saving
  BpeAddedToken bos{"<s>"};
  BpeAddedToken eos{"</s>"};
  BpeAddedToken unk{"<unk>"};
  BpeAddedToken sep{"</s>"};
  BpeAddedToken pad{"<pad>"};
  BpeAddedToken cls{"<s>"};
  BpeAddedToken mask{"<mask>", /*lstrip=*/true};
  std::vector<BpeAddedToken> additional_special_tokens;
  // Non-special tokens that are never split (tokenizer.json's added_tokens). Added tokens without an
  // entry here (added_tokens.json's) behave as plain strings.
  std::vector<BpeAddedToken> added_tokens;
  std::optional<int64_t> model_max_length;  // absent or "unlimited" (transformers' 1e30) in the files
  std::string tokenizer_class = "RobertaTokenizer";

  // bos, eos, unk, sep, pad, cls, mask, then the additional ones: transformers' order.
  std::vector<const BpeAddedToken*> special_tokens() const;
};

struct BpeVocabulary {
  std::vector<std::string> tokens;  // id -> token: vocab.json's, then added tokens (consecutive ids)
  size_t model_vocab_size = 0;      // how many of them vocab.json (or model.vocab) holds
  std::vector<BpeMerge> merges;     // merges.txt, in rank order
};

// Invalid UTF-8 never throws: malformed bytes become U+FFFD first (Python's errors="replace").
// Known, deliberate differences from the slow tokenizer, none of which well-formed files reach: unsplit
// tokens match leftmost-longest (HF's trie differs only for contrived overlapping tokens); merges.txt
// loses its first line only when it is a "#version" header and keeps a last line without "\n" (the
// slow reader drops both unconditionally); tokenizer_config.json objects without "__type" count as
// AddedTokens (transformers raises); tokenizer.json's non-special added tokens keep their strip flags.
class BpeTokenizer final : public Tokenizer {
 public:
  // `source` names the files in error messages. UserError if the vocabulary lacks the unk token; other
  // special tokens missing from it are appended, as transformers' sanitize_special_tokens does.
  BpeTokenizer(BpeVocabulary vocabulary, BpeConfig config, const std::string& source);

  // dir/vocab.json + dir/merges.txt (+ added_tokens.json, tokenizer_config.json, special_tokens_map.json).
  static std::unique_ptr<BpeTokenizer> from_vocab_and_merges(const std::filesystem::path& dir);
  // dir/tokenizer.json with model.type "BPE" and a ByteLevel pre-tokenizer, then the same config files.
  static std::unique_ptr<BpeTokenizer> from_tokenizer_json(const std::filesystem::path& dir);

  Encoding encode(const std::string& text, const std::optional<std::string>& text_pair,
                  const EncodeOptions& options) const override;
  std::vector<std::string> tokenize(const std::string& text) const override;
  // Piece ids of one text without special tokens or truncation. Never throws on any bytes.
  std::vector<int64_t> encode_pieces(std::string_view text) const;

  int64_t vocab_size() const override { return vocab_.size(); }
  int64_t pad_id() const override { return layout_.pad_id; }
  int64_t cls_id() const override { return layout_.prefix.front(); }
  int64_t sep_id() const override { return layout_.suffix.front(); }
  int64_t unk_id() const override { return unk_id_; }
  int64_t mask_id() const override { return mask_id_; }
  SpecialTokensLayout layout() const override { return layout_; }
  std::optional<int64_t> model_max_length() const override { return config_.model_max_length; }
  std::string kind() const override { return "bpe"; }
  // Writes vocab.json, merges.txt, added_tokens.json (when there are added tokens) and merges the
  // options into tokenizer_config.json and special_tokens_map.json, as RobertaTokenizer reads them.
  void save(const std::filesystem::path& dir) const override;

  const Vocab& vocab() const { return vocab_; }
  const BpeConfig& config() const { return config_; }
  const std::vector<BpeMerge>& merges() const { return merges_; }
  size_t model_vocab_size() const { return model_vocab_size_; }

 private:
  struct Scratch;
  struct StripRule {  // whether an unsplit token eats the whitespace on its left / right
    bool left;
    bool right;
  };
  // Fills splitter_ and strip_rules_ with every token that is never split.
  void index_unsplit_tokens();
  void append_text_ids(std::string_view text, std::vector<int64_t>& ids) const;

  Vocab vocab_;
  size_t model_vocab_size_;
  std::vector<BpeMerge> merges_;
  BpeConfig config_;
  BpeModel model_;
  SpecialTokenSplitter splitter_;
  std::unordered_map<int64_t, StripRule> strip_rules_;  // by id, for every token the splitter matches
  SpecialTokensLayout layout_;
  int64_t unk_id_ = -1;
  int64_t mask_id_ = -1;
  uint64_t cache_owner_;  // tells this tokenizer's per-thread word cache from another's
};

}  // namespace tpq::tokenize
