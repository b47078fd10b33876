// bytes_to_unicode() of GPT-2 as two tables built at compile time.
#include "tpq/tokenize/byte_level.h"

#include <array>

#include "tpq/tokenize/utf8.h"

namespace tpq::tokenize {
namespace {

constexpr bool is_printable_byte(int byte) {
  return (byte >= '!' && byte <= '~') || (byte >= 0xA1 && byte <= 0xAC) || (byte >= 0xAE && byte <= 0xFF);
}

constexpr std::array<char32_t, 256> make_byte_table() {
  std::array<char32_t, 256> table{};
  char32_t next_extra = 0x100;
  for (int byte = 0; byte < 256; ++byte) {
    table[static_cast<size_t>(byte)] = is_printable_byte(byte) ? static_cast<char32_t>(byte) : next_extra++;
  }
  return table;
}

constexpr std::array<char32_t, 256> kByteToUnicode = make_byte_table();

// Every table character is below U+0144 (0x100 + the 68 non-printable bytes).
constexpr size_t kInverseSize = 0x144;

constexpr std::array<int16_t, kInverseSize> make_inverse_table() {
  std::array<int16_t, kInverseSize> inverse{};
  for (auto& entry : inverse) entry = -1;
  for (int byte = 0; byte < 256; ++byte) inverse[kByteToUnicode[static_cast<size_t>(byte)]] = static_cast<int16_t>(byte);
  return inverse;
}

constexpr std::array<int16_t, kInverseSize> kUnicodeToByte = make_inverse_table();

}  // namespace

char32_t byte_to_unicode(uint8_t byte) { return kByteToUnicode[byte]; }

int unicode_to_byte(char32_t c) { return c < kInverseSize ? kUnicodeToByte[c] : -1; }

void append_byte_level(std::string_view bytes, std::string& out) {
  for (const char byte : bytes) append_utf8(kByteToUnicode[static_cast<uint8_t>(byte)], out);
}

bool decode_byte_level(std::string_view token, std::string& out) {
  if (!is_valid_utf8(token)) return false;
  std::u32string code_points;
  decode_utf8(token, code_points);
  for (const char32_t c : code_points) {
    const int byte = unicode_to_byte(c);
    if (byte < 0) return false;
    out.push_back(static_cast<char>(byte));
  }
  return true;
}

}  // namespace tpq::tokenize
