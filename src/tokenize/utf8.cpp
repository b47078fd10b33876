// UTF-8 decoding with U+FFFD replacement and encoding, hand-written for speed: the ASCII fast
// path matters when 50k reviews are tokenized.
#include "tpq/tokenize/utf8.h"

namespace tpq::tokenize {
namespace {

bool is_continuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// Decodes one sequence starting at text[pos] (a non-ASCII lead byte). Returns the number of bytes
// consumed (0 when the sequence is malformed) and sets `code_point`.
size_t decode_multibyte(std::string_view text, size_t pos, char32_t& code_point) {
  const auto lead = static_cast<unsigned char>(text[pos]);
  size_t length;
  char32_t value;
  char32_t minimum;  // smallest value this length may encode (rejects overlong forms)
  if ((lead & 0xE0) == 0xC0) {
    length = 2, value = lead & 0x1F, minimum = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, value = lead & 0x0F, minimum = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, value = lead & 0x07, minimum = 0x10000;
  } else {
    return 0;
  }
  if (pos + length > text.size()) return 0;
  for (size_t i = 1; i < length; ++i) {
    const auto byte = static_cast<unsigned char>(text[pos + i]);
    if (!is_continuation(byte)) return 0;
    value = (value << 6) | (byte & 0x3F);
  }
  if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return 0;
  code_point = value;
  return length;
}

}  // namespace

void decode_utf8(std::string_view text, std::u32string& out) {
  size_t pos = 0;
  while (pos < text.size()) {
    const auto byte = static_cast<unsigned char>(text[pos]);
    if (byte < 0x80) {
      out.push_back(byte);
      ++pos;
      continue;
    }
    char32_t code_point = 0;
    const size_t consumed = decode_multibyte(text, pos, code_point);
    if (consumed == 0) {
      out.push_back(kReplacementChar);
      ++pos;
    } else {
      out.push_back(code_point);
      pos += consumed;
    }
  }
}

void append_utf8(char32_t code_point, std::string& out) {
  if (code_point < 0x80) {
    out.push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

void encode_utf8(std::u32string_view code_points, std::string& out) {
  for (const char32_t code_point : code_points) append_utf8(code_point, out);
}

bool is_valid_utf8(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    if (static_cast<unsigned char>(text[pos]) < 0x80) {
      ++pos;
      continue;
    }
    char32_t ignored = 0;
    const size_t consumed = decode_multibyte(text, pos, ignored);
    if (consumed == 0) return false;
    pos += consumed;
  }
  return true;
}

std::string sanitize_utf8(std::string_view text) {
  if (is_valid_utf8(text)) return std::string(text);
  std::u32string code_points;
  code_points.reserve(text.size());
  decode_utf8(text, code_points);
  std::string out;
  out.reserve(text.size());
  encode_utf8(code_points, out);
  return out;
}

}  // namespace tpq::tokenize
