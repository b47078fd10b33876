// Private helper for src/io: the human part of an nlohmann parse_error message, without its
// "[json.exception.parse_error.101] parse error at line 1, column 2: " prefix (callers add their own).
#pragma once

#include <string>

namespace tpq::io::detail {

inline std::string json_parse_error_text(const std::string& what) {
  const auto start = what.find("parse error");
  const auto colon = start == std::string::npos ? std::string::npos : what.find(": ", start);
  return colon == std::string::npos ? what : what.substr(colon + 2);
}

}  // namespace tpq::io::detail
