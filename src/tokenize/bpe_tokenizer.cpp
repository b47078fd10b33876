// Byte-level BPE encoding as transformers' slow RobertaTokenizer.tokenize(): optional prefix space,
// added/special tokens split out with their whitespace stripping, GPT-2 regex, then per pre-token BPE
// through a per-thread word cache.
#include "tpq/tokenize/bpe_tokenizer.h"

#include <algorithm>
#include <atomic>

#include "bpe_files.h"
#include "bpe_word_cache.h"
#include "tpq/core/error.h"
#include "tpq/tokenize/encoding_layout.h"
#include "tpq/tokenize/gpt2_pre_tokenizer.h"
#include "tpq/tokenize/unicode_classes.h"
#include "tpq/tokenize/utf8.h"

namespace tpq::tokenize {

struct BpeTokenizer::Scratch {
  std::string sanitized;  // the text with malformed UTF-8 replaced, when needed
  std::string prefixed;   // " " + text, for add_prefix_space
  std::vector<std::pair<std::string_view, int64_t>> segments;  // (text run, -1) or ({}, special id)
};

namespace {

// IMDB's 50k reviews hold ~160k distinct pre-tokens: they all fit.
constexpr size_t kWordCacheEntries = size_t{1} << 18;

std::atomic<uint64_t> next_cache_owner{1};

// This thread's word cache, emptied when another tokenizer used it last (ids would differ).
BpeWordCache& word_cache_for(uint64_t owner) {
  thread_local uint64_t current_owner = 0;
  thread_local BpeWordCache cache(kWordCacheEntries);
  if (current_owner != owner) {
    cache.clear();
    current_owner = owner;
  }
  return cache;
}

// `tokens` plus each special token it lacks (except unk), appended in transformers' order, as
// sanitize_special_tokens() does when a tokenizer is loaded.
std::vector<std::string> with_special_tokens(std::vector<std::string> tokens, const BpeConfig& config) {
  for (const BpeAddedToken* special : config.special_tokens()) {
    if (special == &config.unk || special->content.empty()) continue;
    if (std::find(tokens.begin(), tokens.end(), special->content) == tokens.end()) tokens.push_back(special->content);
  }
  return tokens;
}

int64_t require_id(const Vocab& vocab, const BpeAddedToken& token, const char* key, const std::string& source) {
  const int64_t id = vocab.find(token.content);
  require(id != Vocab::kNotFound, source + ": the vocabulary lacks the " + key + " '" + token.content +
                                      "' — set " + key + " in tokenizer_config.json to a token of the vocabulary");
  return id;
}

std::string_view lstrip_python_space(std::string_view text) {
  size_t pos = 0;
  size_t length = 0;
  while (pos < text.size() && is_python_space(code_point_at(text, pos, length))) pos += length;
  return text.substr(pos);
}

std::string_view rstrip_python_space(std::string_view text) {
  while (!text.empty()) {
    size_t start = text.size() - 1;
    while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
    size_t length = 0;
    if (!is_python_space(code_point_at(text, start, length))) break;
    text.remove_suffix(text.size() - start);
  }
  return text;
}

}  // namespace

std::vector<const BpeAddedToken*> BpeConfig::special_tokens() const {
  std::vector<const BpeAddedToken*> tokens = {&bos, &eos, &unk, &sep, &pad, &cls, &mask};
  for (const auto& token : additional_special_tokens) tokens.push_back(&token);
  return tokens;
}

BpeTokenizer::BpeTokenizer(BpeVocabulary vocabulary, BpeConfig config, const std::string& source)
    : vocab_(with_special_tokens(std::move(vocabulary.tokens), config), source),
      model_vocab_size_(vocabulary.model_vocab_size),
      merges_(std::move(vocabulary.merges)),
      config_(std::move(config)),
      model_(vocab_, merges_, require_id(vocab_, config_.unk, "unk_token", source)),
      cache_owner_(next_cache_owner++) {
  require(model_vocab_size_ <= static_cast<size_t>(vocab_.size()), source + ": more model tokens than tokens");
  unk_id_ = vocab_.find(config_.unk.content);
  const int64_t cls = require_id(vocab_, config_.cls, "cls_token", source);
  const int64_t sep = require_id(vocab_, config_.sep, "sep_token", source);
  layout_ = SpecialTokensLayout::roberta(cls, sep, require_id(vocab_, config_.pad, "pad_token", source));
  mask_id_ = config_.mask.content.empty() ? -1 : vocab_.find(config_.mask.content);
  index_unsplit_tokens();
}

void BpeTokenizer::index_unsplit_tokens() {
  // Never split: the special tokens, tokenizer.json's added tokens, and every id beyond the model's vocab.
  std::vector<std::string> unsplit;
  for (const BpeAddedToken* special : config_.special_tokens()) unsplit.push_back(special->content);
  for (const auto& added : config_.added_tokens) unsplit.push_back(added.content);
  for (auto id = static_cast<int64_t>(model_vocab_size_); id < vocab_.size(); ++id) unsplit.push_back(vocab_.token(id));
  std::vector<std::pair<std::string, int64_t>> matched;
  for (const auto& content : unsplit) {
    const int64_t id = vocab_.find(content);
    if (content.empty() || id == Vocab::kNotFound || strip_rules_.count(id) != 0) continue;
    // As tokenize(): an AddedToken special's own flags (the last one listed wins), else tokenizer.json's
    // flags for an added token, else a plain string, which strips both sides.
    StripRule rule{true, true};
    const BpeAddedToken* described = nullptr;
    for (const BpeAddedToken* special : config_.special_tokens()) {
      if (special->content == content && !special->plain) described = special;
    }
    for (const auto& added : config_.added_tokens) {
      if (described == nullptr && added.content == content && !added.plain) described = &added;
    }
    if (described != nullptr) rule = {described->lstrip, described->rstrip};
    strip_rules_.emplace(id, rule);
    matched.emplace_back(content, id);
  }
  splitter_ = SpecialTokenSplitter(std::move(matched));
}

std::unique_ptr<BpeTokenizer> BpeTokenizer::from_vocab_and_merges(const std::filesystem::path& dir) {
  BpeVocabulary vocabulary = read_vocab_and_merges(dir);
  BpeConfig config;
  apply_bpe_config_files(dir, config);
  return std::make_unique<BpeTokenizer>(std::move(vocabulary), std::move(config), (dir / "vocab.json").string());
}

std::unique_ptr<BpeTokenizer> BpeTokenizer::from_tokenizer_json(const std::filesystem::path& dir) {
  BpeConfig config;
  BpeVocabulary vocabulary = read_bpe_tokenizer_json(dir / "tokenizer.json", config);
  apply_bpe_config_files(dir, config);
  return std::make_unique<BpeTokenizer>(std::move(vocabulary), std::move(config), (dir / "tokenizer.json").string());
}

void BpeTokenizer::append_text_ids(std::string_view text, std::vector<int64_t>& ids) const {
  BpeWordCache& cache = word_cache_for(cache_owner_);
  Gpt2PreTokenizer words(text);
  std::string_view word;
  while (words.next(word)) {
    const uint64_t hash = BpeWordCache::hash(word);
    if (cache.append_cached(word, hash, ids)) continue;
    const size_t first = ids.size();
    model_.encode_word(word, ids);
    cache.insert(word, hash, ids, first);
  }
}

std::vector<int64_t> BpeTokenizer::encode_pieces(std::string_view text) const {
  thread_local Scratch scratch;
  if (!is_valid_utf8(text)) {
    scratch.sanitized = sanitize_utf8(text);
    text = scratch.sanitized;
  }
  size_t first_length = 0;
  if (config_.add_prefix_space && !text.empty() && !is_python_space(code_point_at(text, 0, first_length))) {
    scratch.prefixed.assign(" ").append(text);
    text = scratch.prefixed;
  }
  auto& segments = scratch.segments;
  segments.clear();
  splitter_.split(
      text, [&](std::string_view run) { segments.emplace_back(run, -1); },
      [&](int64_t id) { segments.emplace_back(std::string_view(), id); });
  // Whitespace next to a special token goes with it, as the slow tokenizer's lstrip/rstrip handling.
  for (size_t i = 0; i < segments.size(); ++i) {
    if (segments[i].second < 0) continue;
    const StripRule& rule = strip_rules_.at(segments[i].second);
    if (rule.right && i + 1 < segments.size() && segments[i + 1].second < 0) {
      segments[i + 1].first = lstrip_python_space(segments[i + 1].first);
    }
    if (rule.left && i > 0 && segments[i - 1].second < 0) segments[i - 1].first = rstrip_python_space(segments[i - 1].first);
  }
  std::vector<int64_t> ids;
  ids.reserve(text.size() / 3 + 4);
  for (const auto& [run, special_id] : segments) {
    if (special_id >= 0) {
      ids.push_back(special_id);
    } else {
      append_text_ids(run, ids);
    }
  }
  return ids;
}

Encoding BpeTokenizer::encode(const std::string& text, const std::optional<std::string>& text_pair,
                              const EncodeOptions& options) const {
  std::optional<std::vector<int64_t>> pair_ids;
  if (text_pair) pair_ids = encode_pieces(*text_pair);
  return assemble_encoding(encode_pieces(text), std::move(pair_ids), layout_, options, vocab_.tokens());
}

std::vector<std::string> BpeTokenizer::tokenize(const std::string& text) const {
  std::vector<std::string> tokens;
  for (const int64_t id : encode_pieces(text)) tokens.push_back(vocab_.token(id));
  return tokens;
}

void BpeTokenizer::save(const std::filesystem::path& dir) const {
  std::filesystem::create_directories(dir);
  write_vocab_and_merges(dir, vocab_.tokens(), model_vocab_size_, merges_);
  write_bpe_config_files(dir, config_);
}

}  // namespace tpq::tokenize
