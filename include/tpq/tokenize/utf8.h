// UTF-8 <-> code point conversion for the tokenizers. Invalid input never throws: each byte that
// does not start a well-formed sequence becomes U+FFFD (as Python's errors="replace" would).
#pragma once

#include <string>
#include <string_view>

namespace tpq::tokenize {

inline constexpr char32_t kReplacementChar = 0xFFFD;

// Appends the code points of `text` to `out`. Malformed bytes (bad lead byte, truncated or
// overlong sequence, surrogate, > U+10FFFF) are replaced, one U+FFFD per rejected byte.
void decode_utf8(std::string_view text, std::u32string& out);

// Appends the UTF-8 encoding of one code point (must be a valid scalar value) to `out`.
void append_utf8(char32_t code_point, std::string& out);

// Appends the UTF-8 encoding of `code_points` to `out`.
void encode_utf8(std::u32string_view code_points, std::string& out);

// True when `text` is well-formed UTF-8 (no replacement needed).
bool is_valid_utf8(std::string_view text);

// `text` with malformed bytes replaced by U+FFFD; returns `text` unchanged when already valid.
std::string sanitize_utf8(std::string_view text);

// The code point starting at text[pos] and its byte length, for text already known to be valid
// UTF-8 (no checks: sanitize first). Inline: tokenizers call it once per character.
inline char32_t code_point_at(std::string_view text, size_t pos, size_t& length) {
  const auto lead = static_cast<unsigned char>(text[pos]);
  char32_t c;
  if (lead < 0x80) {
    length = 1;
    return lead;
  }
  if (lead < 0xE0) {
    length = 2, c = lead & 0x1F;
  } else if (lead < 0xF0) {
    length = 3, c = lead & 0x0F;
  } else {
    length = 4, c = lead & 0x07;
  }
  for (size_t i = 1; i < length; ++i) c = (c << 6) | (static_cast<unsigned char>(text[pos + i]) & 0x3F);
  return c;
}

}  // namespace tpq::tokenize
