// Private helpers for src/io error messages: untrusted text made printable on one line, and the
// human part of an nlohmann parse_error message (callers add their own file/position prefix).
#pragma once

#include <iomanip>
#include <sstream>
#include <string>

namespace tpq::io::detail {

// Bounded length and control characters escaped, so a message stays one line; `ascii_only` also
// escapes bytes >= 0x80, for text that may hold invalid UTF-8.
inline std::string printable(const std::string& text, std::size_t limit = 80, bool ascii_only = false) {
  std::string out;
  for (const unsigned char c : text.substr(0, limit)) {
    if (c < 0x20 || c == 0x7f || (ascii_only && c >= 0x80)) {
      std::ostringstream escaped;
      escaped << "\\x" << std::hex << std::setw(2) << std::setfill('0') << static_cast<int>(c);
      out += escaped.str();
    } else {
      out += static_cast<char>(c);
    }
  }
  return text.size() > limit ? out + "..." : out;
}

// A tensor or key name for a message: 'name', made printable.
inline std::string quoted_name(const std::string& name) { return "'" + printable(name) + "'"; }

// "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error ..." -> "syntax error ..."
inline std::string json_parse_error_text(const std::string& what) {
  const auto start = what.find("parse error");
  const auto colon = start == std::string::npos ? std::string::npos : what.find(": ", start);
  return colon == std::string::npos ? what : what.substr(colon + 2);
}

}  // namespace tpq::io::detail
