// BertNormalizer, one pass over the code points: each step of the Rust crate is per character
// except NFD's canonical reordering, which is done afterwards on runs of combining marks.
#include "tpq/tokenize/bert_normalizer.h"

#include <utf8proc.h>

#include "tpq/tokenize/unicode_classes.h"
#include "tpq/tokenize/utf8.h"

namespace tpq::tokenize {
namespace {

// Rust's char::to_lowercase is the full mapping; it differs from the simple one (utf8proc) only
// for U+0130 LATIN CAPITAL LETTER I WITH DOT ABOVE -> "i" U+0307.
void append_lowercase(char32_t c, std::u32string& out) {
  if (c < 0x80) {
    out.push_back(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
  } else if (c == 0x130) {
    out.push_back('i');
    out.push_back(0x307);
  } else {
    out.push_back(static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c))));
  }
}

// Canonical ordering (part of NFD): stable sort of each run of non-starters by combining class.
// Dropping Mn before sorting gives the same result since a stable sort keeps relative order.
void reorder_combining_marks(std::u32string& text, size_t begin) {
  for (size_t i = begin + 1; i < text.size(); ++i) {
    const int ccc = canonical_combining_class(text[i]);
    if (ccc == 0) continue;
    const char32_t mark = text[i];
    size_t j = i;
    while (j > begin) {
      const int previous = canonical_combining_class(text[j - 1]);
      if (previous == 0 || previous <= ccc) break;
      text[j] = text[j - 1];
      --j;
    }
    text[j] = mark;
  }
}

}  // namespace

void BertNormalizer::append_folded(char32_t c, std::u32string& out, bool& saw_combining) const {
  if (options_.strips_accents() && c >= 0x80) {
    utf8proc_int32_t decomposed[32];  // canonical decompositions are at most 4 code points
    int last_boundary_class = 0;
    const utf8proc_ssize_t count = utf8proc_decompose_char(
        static_cast<utf8proc_int32_t>(c), decomposed, 32, UTF8PROC_DECOMPOSE, &last_boundary_class);
    if (count > 0 && count <= 32) {
      for (utf8proc_ssize_t i = 0; i < count; ++i) {
        const auto part = static_cast<char32_t>(decomposed[i]);
        if (is_nonspacing_mark(part)) continue;
        saw_combining = saw_combining || canonical_combining_class(part) != 0;
        if (options_.lowercase) {
          append_lowercase(part, out);
        } else {
          out.push_back(part);
        }
      }
      return;
    }
  }
  if (options_.lowercase) {
    append_lowercase(c, out);
  } else {
    out.push_back(c);
  }
}

void BertNormalizer::normalize(std::u32string_view input, std::u32string& out) const {
  const size_t begin = out.size();
  bool saw_combining = false;
  for (char32_t c : input) {
    if (options_.clean_text) {
      if (c == 0 || c == kReplacementChar || is_bert_control(c)) continue;
      if (is_bert_whitespace(c)) c = ' ';
    }
    if (options_.handle_chinese_chars && is_chinese_char(c)) {
      out.push_back(' ');
      append_folded(c, out, saw_combining);
      out.push_back(' ');
      continue;
    }
    append_folded(c, out, saw_combining);
  }
  if (saw_combining) reorder_combining_marks(out, begin);
}

std::string BertNormalizer::normalize_utf8(std::string_view text) const {
  std::u32string code_points;
  decode_utf8(text, code_points);
  std::u32string normalized;
  normalize(code_points, normalized);
  std::string out;
  encode_utf8(normalized, out);
  return out;
}

}  // namespace tpq::tokenize
