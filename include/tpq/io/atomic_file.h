// Atomic file writes: content goes to a temp file in the same directory, is fsync'ed, then renamed
// over the target (and the directory fsync'ed), so a reader sees the old file or the new one,
// never a torn one. Failures (disk full, permissions) are UserErrors naming the file.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace tpq::io {

// Streams bytes into a temp file beside `target` ("<name>.tmp.<pid>.<random>"); commit() makes them
// the target's content. Destroyed without commit() (e.g. by an exception), it removes the temp file
// and leaves the target untouched. For large outputs that should not be built in memory first.
class AtomicFileWriter {
 public:
  explicit AtomicFileWriter(std::filesystem::path target);  // UserError if the directory is missing
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  void write(const void* data, std::size_t size);
  void write(std::string_view bytes) { write(bytes.data(), bytes.size()); }
  void commit();  // fsync, close, rename over the target, fsync the directory

  const std::filesystem::path& target() const { return target_; }
  const std::filesystem::path& temp_path() const { return temp_; }

 private:
  void discard() noexcept;

  std::filesystem::path target_;
  std::filesystem::path temp_;
  int fd_ = -1;
  bool committed_ = false;
};

void write_file_atomic(const std::filesystem::path& path, std::string_view contents);

// fsyncs a directory so renames inside it survive a crash; failures are logged, not thrown.
void sync_directory(const std::filesystem::path& directory);

// Pretty-printed JSON (2-space indent, UTF-8 kept), atomically.
void write_json_atomic(const std::filesystem::path& path, const nlohmann::json& value);

// Reads a whole file; UserError naming the file if it cannot be read.
std::string read_file(const std::filesystem::path& path);

// Parses a JSON file; UserError naming the file, line and column on a syntax error.
nlohmann::json read_json_file(const std::filesystem::path& path);

}  // namespace tpq::io
