// Atomic file writes: content goes to a temp file in the same directory, is fsync'ed, then renamed
// over the target (and the directory fsync'ed), so a reader sees the old file or the new one,
// never a torn one. Failures (disk full, permissions) are UserErrors naming the file.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace tpq::io {

void write_file_atomic(const std::filesystem::path& path, std::string_view contents);

// Pretty-printed JSON (2-space indent, UTF-8 kept), atomically.
void write_json_atomic(const std::filesystem::path& path, const nlohmann::json& value);

// Reads a whole file; UserError naming the file if it cannot be read.
std::string read_file(const std::filesystem::path& path);

// Parses a JSON file; UserError naming the file, line and column on a syntax error.
nlohmann::json read_json_file(const std::filesystem::path& path);

}  // namespace tpq::io
