// WordPiece encoding: raw text -> special-token split -> BertNormalizer -> BertPreTokenizer ->
// greedy longest-match-first pieces ("##" continuation), all on reused per-thread buffers.
#include "tpq/tokenize/wordpiece_tokenizer.h"

#include "tpq/core/error.h"
#include "tpq/tokenize/bert_pre_tokenizer.h"
#include "tpq/tokenize/utf8.h"

namespace tpq::tokenize {

struct WordPieceTokenizer::Scratch {
  std::u32string code_points;                // one raw text run, decoded
  std::u32string normalized;                 // after BertNormalizer
  std::vector<std::u32string_view> words;    // views into `normalized`
  std::string word_utf8;                     // the current word, UTF-8
  std::vector<size_t> char_ends;             // byte offset in word_utf8 after each code point
  std::string candidate;                     // "##" + rest of the word
};

namespace {

int64_t require_token(const Vocab& vocab, const std::string& token, const std::string& source) {
  const int64_t id = vocab.find(token);
  require(id != Vocab::kNotFound, source + ": the vocabulary lacks the special token '" + token +
                                      "' — BERT inputs need [CLS], [SEP], [PAD] and [UNK]; add it to the vocab");
  return id;
}

}  // namespace

WordPieceTokenizer::WordPieceTokenizer(Vocab vocab, WordPieceConfig config, const std::string& source)
    : vocab_(std::move(vocab)), config_(std::move(config)), normalizer_(config_.normalizer) {
  const int64_t cls = require_token(vocab_, config_.cls_token, source);
  const int64_t sep = require_token(vocab_, config_.sep_token, source);
  layout_ = SpecialTokensLayout::bert(cls, sep, require_token(vocab_, config_.pad_token, source));
  layout_.has_token_type_ids = config_.has_token_type_ids();
  unk_id_ = require_token(vocab_, config_.unk_token, source);
  mask_id_ = vocab_.find(config_.mask_token);
  require(config_.max_input_chars_per_word > 0,
          source + ": max_input_chars_per_word must be positive (BERT uses 100)");

  std::vector<std::pair<std::string, int64_t>> special_tokens;
  for (const std::string* token : {&config_.cls_token, &config_.sep_token, &config_.pad_token,
                                   &config_.unk_token, &config_.mask_token}) {
    if (vocab_.contains(*token)) special_tokens.emplace_back(*token, vocab_.find(*token));
  }
  for (const auto& token : config_.additional_special_tokens) {
    const int64_t id = vocab_.find(token);
    require(id != Vocab::kNotFound, source + ": special token '" + token + "' is not in the vocabulary — add it or drop it");
    special_tokens.emplace_back(token, id);
  }
  special_splitter_ = SpecialTokenSplitter(std::move(special_tokens));
}

void WordPieceTokenizer::append_word_pieces(std::u32string_view word, Scratch& scratch,
                                            std::vector<int64_t>& ids) const {
  if (static_cast<int64_t>(word.size()) > config_.max_input_chars_per_word) {
    ids.push_back(unk_id_);
    return;
  }
  scratch.word_utf8.clear();
  scratch.char_ends.clear();
  for (const char32_t c : word) {
    append_utf8(c, scratch.word_utf8);
    scratch.char_ends.push_back(scratch.word_utf8.size());
  }
  const size_t first_piece = ids.size();
  const size_t char_count = word.size();
  const size_t longest = vocab_.longest_token_bytes();
  const std::string& prefix = config_.continuing_subword_prefix;

  size_t start_char = 0;
  while (start_char < char_count) {
    const size_t start_byte = start_char == 0 ? 0 : scratch.char_ends[start_char - 1];
    // Candidates are prefixes of `base`: the word itself, or "##" + the rest of the word.
    std::string_view base = scratch.word_utf8;
    size_t prefix_bytes = 0;
    if (start_char > 0) {
      scratch.candidate.assign(prefix);
      scratch.candidate.append(scratch.word_utf8, start_byte, std::string::npos);
      base = scratch.candidate;
      prefix_bytes = prefix.size();
    }
    size_t end_char = char_count;
    int64_t piece_id = Vocab::kNotFound;
    for (; end_char > start_char; --end_char) {
      const size_t length = prefix_bytes + scratch.char_ends[end_char - 1] - start_byte;
      if (length > longest) continue;  // no vocab entry is that long
      piece_id = vocab_.find(base.substr(0, length));
      if (piece_id != Vocab::kNotFound) break;
    }
    if (piece_id == Vocab::kNotFound) {  // one unmatched piece makes the whole word [UNK]
      ids.resize(first_piece);
      ids.push_back(unk_id_);
      return;
    }
    ids.push_back(piece_id);
    start_char = end_char;
  }
}

void WordPieceTokenizer::append_text_pieces(std::string_view text, Scratch& scratch,
                                            std::vector<int64_t>& ids) const {
  scratch.code_points.clear();
  decode_utf8(text, scratch.code_points);  // invalid bytes -> U+FFFD, which clean_text drops
  scratch.normalized.clear();
  normalizer_.normalize(scratch.code_points, scratch.normalized);
  scratch.words.clear();
  split_bert_words(scratch.normalized, scratch.words);
  for (const auto word : scratch.words) append_word_pieces(word, scratch, ids);
}

std::vector<int64_t> WordPieceTokenizer::encode_pieces(std::string_view text) const {
  thread_local Scratch scratch;
  std::vector<int64_t> ids;
  ids.reserve(text.size() / 4 + 4);
  special_splitter_.split(
      text, [&](std::string_view run) { append_text_pieces(run, scratch, ids); },
      [&](int64_t special_id) { ids.push_back(special_id); });
  return ids;
}

Encoding WordPieceTokenizer::encode(const std::string& text, const std::optional<std::string>& text_pair,
                                    const EncodeOptions& options) const {
  std::optional<std::vector<int64_t>> pair_ids;
  if (text_pair) pair_ids = encode_pieces(*text_pair);
  return assemble_encoding(encode_pieces(text), std::move(pair_ids), layout_, options, vocab_.tokens());
}

std::vector<std::string> WordPieceTokenizer::tokenize(const std::string& text) const {
  std::vector<std::string> tokens;
  for (const int64_t id : encode_pieces(text)) tokens.push_back(vocab_.token(id));
  return tokens;
}

}  // namespace tpq::tokenize
