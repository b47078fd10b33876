// The GPT-2 regex as a scanner. At each position the alternatives are tried in order, as Python's
// backtracking `regex` does; each case below notes which alternative it is.
#include "tpq/tokenize/gpt2_pre_tokenizer.h"

#include <array>
#include <cstdint>

#include "tpq/tokenize/unicode_classes.h"
#include "tpq/tokenize/utf8.h"

namespace tpq::tokenize {
namespace {

enum class CharClass : uint8_t { kSpace, kLetter, kNumber, kOther };  // \s, \p{L}, \p{N}, the rest

constexpr std::array<CharClass, 128> make_ascii_classes() {
  std::array<CharClass, 128> classes{};
  for (int c = 0; c < 128; ++c) {
    if (c == ' ' || (c >= 0x09 && c <= 0x0D)) {
      classes[static_cast<size_t>(c)] = CharClass::kSpace;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      classes[static_cast<size_t>(c)] = CharClass::kLetter;
    } else if (c >= '0' && c <= '9') {
      classes[static_cast<size_t>(c)] = CharClass::kNumber;
    } else {
      classes[static_cast<size_t>(c)] = CharClass::kOther;
    }
  }
  return classes;
}

constexpr std::array<CharClass, 128> kAsciiClasses = make_ascii_classes();

// Class and byte length of the code point at text[pos] (valid UTF-8, pos < size).
CharClass class_at(std::string_view text, size_t pos, size_t& length) {
  const auto lead = static_cast<uint8_t>(text[pos]);
  if (lead < 0x80) {
    length = 1;
    return kAsciiClasses[lead];
  }
  const char32_t c = code_point_at(text, pos, length);
  if (is_regex_space(c)) return CharClass::kSpace;
  if (is_letter(c)) return CharClass::kLetter;
  return is_number(c) ? CharClass::kNumber : CharClass::kOther;
}

// End of the run of `run_class` characters starting at pos.
size_t run_end(std::string_view text, size_t pos, CharClass run_class) {
  while (pos < text.size()) {
    size_t length;
    if (class_at(text, pos, length) != run_class) break;
    pos += length;
  }
  return pos;
}

// Length of a contraction 's 't 're 've 'm 'll 'd at pos (text[pos] == '\''), or 0.
size_t contraction_length(std::string_view text, size_t pos) {
  const auto at = [&](size_t offset) { return pos + offset < text.size() ? text[pos + offset] : '\0'; };
  const char first = at(1);
  if (first == 's' || first == 't' || first == 'm' || first == 'd') return 2;
  if ((first == 'r' && at(2) == 'e') || (first == 'v' && at(2) == 'e') || (first == 'l' && at(2) == 'l')) return 3;
  return 0;
}

}  // namespace

bool Gpt2PreTokenizer::next(std::string_view& piece) {
  const size_t start = pos_;
  if (start >= text_.size()) return false;
  size_t length;
  const CharClass first = class_at(text_, start, length);
  size_t end;
  if (text_[start] == '\'' && contraction_length(text_, start) > 0) {
    end = start + contraction_length(text_, start);  // 's|'t|'re|'ve|'m|'ll|'d
  } else if (first != CharClass::kSpace) {
    end = run_end(text_, start, first);  // \p{L}+ | \p{N}+ | [^\s\p{L}\p{N}]+ without the space
  } else {
    size_t next_length = 0;
    const bool has_next = start + 1 < text_.size();
    const CharClass next = has_next ? class_at(text_, start + 1, next_length) : CharClass::kSpace;
    if (text_[start] == ' ' && next != CharClass::kSpace) {
      end = run_end(text_, start + 1, next);  // " ?\p{L}+" and its N / other siblings with the space
    } else {
      // \s+(?!\S): the whole run at the end of the text, else all but its last character (which
      // then starts the next match); a single one before \S falls through to \s+.
      const size_t run = run_end(text_, start, CharClass::kSpace);
      end = run;
      if (run < text_.size()) {
        size_t last = run - 1;
        while ((static_cast<uint8_t>(text_[last]) & 0xC0) == 0x80) --last;  // start of the last character
        if (last > start) end = last;
      }
    }
  }
  piece = text_.substr(start, end - start);
  pos_ = end;
  return true;
}

}  // namespace tpq::tokenize
