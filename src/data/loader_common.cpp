// Internal helpers for the loaders (see loader_common.h): file reading with UserErrors, sorted
// directory listings, edit-distance suggestions and strict integer parsing.
#include "loader_common.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include "tpq/core/error.h"

namespace tpq::data::detail {

std::string read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  require(static_cast<bool>(in), path.string() + ": cannot open for reading; check the path and permissions");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  std::string content = std::move(buffer).str();
  require(!content.empty(), path.string() + ": file is empty; re-download or regenerate it");
  return content;
}

void require_exists(const std::filesystem::path& path, const std::string& what, const std::string& how_to_get) {
  std::error_code error;
  require(std::filesystem::exists(path, error),
          what + " not found at " + path.string() + "; " + how_to_get);
}

std::vector<std::filesystem::path> sorted_files(const std::filesystem::path& dir, const std::string& suffix) {
  std::vector<std::filesystem::path> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.size() >= suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      files.push_back(entry.path());
    }
  }
  require(!error, dir.string() + ": cannot list directory (" + error.message() + ")");
  std::sort(files.begin(), files.end());
  return files;
}

std::string join(const std::vector<std::string>& values, const std::string& separator) {
  std::string joined;
  for (std::size_t i = 0; i < values.size(); ++i) joined += (i ? separator : "") + values[i];
  return joined;
}

std::optional<int64_t> parse_integer(const std::string& text) {
  std::size_t begin = text.find_first_not_of(" \t");
  std::size_t end = text.find_last_not_of(" \t\r");
  if (begin == std::string::npos) return std::nullopt;
  if (text[begin] == '+') ++begin;
  int64_t value = 0;
  const char* first = text.data() + begin;
  const char* last = text.data() + end + 1;
  if (first >= last) return std::nullopt;
  const auto result = std::from_chars(first, last, value);
  if (result.ec != std::errc() || result.ptr != last) return std::nullopt;
  return value;
}

}  // namespace tpq::data::detail
