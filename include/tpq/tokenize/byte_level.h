// GPT-2's reversible byte <-> character table (bytes_to_unicode): every byte gets a printable code
// point, so byte-level BPE vocabularies are plain strings ("Ġ" U+0120 is the space byte 0x20).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tpq::tokenize {

// The character byte `byte` is written as: itself for '!'..'~', '¡'..'¬', '®'..'ÿ'; the others
// (controls, space, 0x7F-0xA0, 0xAD) in byte order onto U+0100, U+0101, ...
char32_t byte_to_unicode(uint8_t byte);

// The inverse: the byte a table character stands for, or -1 for any other code point.
int unicode_to_byte(char32_t c);

// Appends the UTF-8 of the table characters of `bytes` (what the slow tokenizer's
// `"".join(byte_encoder[b] for b in token.encode("utf-8"))` gives).
void append_byte_level(std::string_view bytes, std::string& out);

// Appends the bytes a byte-level token stands for. False (and `out` partly written) when `token`
// is not valid UTF-8 or holds a character outside the table.
bool decode_byte_level(std::string_view token, std::string& out);

}  // namespace tpq::tokenize
