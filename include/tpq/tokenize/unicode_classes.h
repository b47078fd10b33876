// Character classes of HF's BERT normaliser and pre-tokenizer (Rust `tokenizers` semantics),
// answered from utf8proc's Unicode tables with ASCII fast paths.
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

// Canonical combining class (0 for starters), for NFD canonical ordering.
int canonical_combining_class(char32_t c);

}  // namespace tpq::tokenize
