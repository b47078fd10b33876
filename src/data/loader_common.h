// Internal helpers shared by the dataset loaders: reading files, checking paths with a helpful
// message, listing directories deterministically, "did you mean" suggestions and integer parsing.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tpq::data::detail {

// Whole file as bytes; UserError naming the file if unreadable or empty.
std::string read_text_file(const std::filesystem::path& path);

// UserError if path does not exist: "<what> not found at <path>; <how_to_get>".
void require_exists(const std::filesystem::path& path, const std::string& what, const std::string& how_to_get);

// Regular files in dir whose name ends with suffix, sorted by name (directory order is unspecified).
std::vector<std::filesystem::path> sorted_files(const std::filesystem::path& dir, const std::string& suffix);

// "a, b, c"
std::string join(const std::vector<std::string>& values, const std::string& separator = ", ");

// Strict decimal integer (optional sign, surrounding spaces allowed); nullopt otherwise.
std::optional<int64_t> parse_integer(const std::string& text);

}  // namespace tpq::data::detail
