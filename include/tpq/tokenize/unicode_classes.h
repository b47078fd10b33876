// Character classes of HF's BERT normaliser and pre-tokenizer (Rust `tokenizers` semantics) and of
// the GPT-2 pre-tokenizer regex (Python `regex` semantics), from utf8proc's tables with ASCII fast paths.
#pragma once

namespace tpq::tokenize {

// Rust char::is_whitespace (the White_Space property) — what BertPreTokenizer splits on and
// what clean_text maps to ' ' (\t \n \r included).
bool is_bert_whitespace(char32_t c);

// clean_text's "control": category Cc, Cf or Co (unicode_categories' is_other), except \t \n \r.
bool is_bert_control(char32_t c);

// BertPreTokenizer's punctuation: ASCII 33-47, 58-64, 91-96, 123-126, or category P*.
bool is_bert_punctuation(char32_t c);

// The CJK ideograph blocks HF's BertNormalizer surrounds with spaces (exact Rust ranges,
// including its 0x2B920 lower bound of the fifth extension block).
bool is_chinese_char(char32_t c);

// Unicode category Mn (what strip_accents drops after NFD).
bool is_nonspacing_mark(char32_t c);

// Python `regex`'s \s in a str pattern: the White_Space property, the same set as is_bert_whitespace.
inline bool is_regex_space(char32_t c) { return is_bert_whitespace(c); }

// Python's str.isspace(), which str.strip() uses: White_Space plus U+001C..U+001F.
inline bool is_python_space(char32_t c) { return is_bert_whitespace(c) || (c >= 0x1C && c <= 0x1F); }

// \p{L}: categories Lu, Ll, Lt, Lm, Lo.
bool is_letter(char32_t c);

// \p{N}: categories Nd, Nl, No.
bool is_number(char32_t c);

// Canonical combining class (0 for starters), for NFD canonical ordering.
int canonical_combining_class(char32_t c);

}  // namespace tpq::tokenize
