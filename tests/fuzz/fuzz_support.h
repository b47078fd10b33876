// Shared by the libFuzzer targets: a private scratch directory per process (parsers that read files
// get the fuzz input written there) and splitting one input into several byte strings.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace tpq::fuzz {

// /tmp/tpq-fuzz-<pid>, created once; removed at exit.
inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    auto path = std::filesystem::temp_directory_path() / ("tpq-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(path);
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(std::filesystem::temp_directory_path() / ("tpq-fuzz-" + std::to_string(::getpid())),
                                  ignored);
    });
    return path;
  }();
  return dir;
}

inline void write_file(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Splits on the byte sequence "\n--\n" into at most `parts` pieces (the rest stays in the last).
inline std::vector<std::string> split_input(const uint8_t* data, std::size_t size, std::size_t parts) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> pieces;
  std::size_t start = 0;
  while (pieces.size() + 1 < parts) {
    const auto at = text.find("\n--\n", start);
    if (at == std::string::npos) break;
    pieces.push_back(text.substr(start, at - start));
    start = at + 4;
  }
  pieces.push_back(text.substr(start));
  pieces.resize(parts);
  return pieces;
}

}  // namespace tpq::fuzz
