// Atomic file writes (temp file + fsync + rename + directory fsync) and whole-file reads, with every
// system-call failure turned into a one-line UserError that names the file.
#include "tpq/io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>
#include <sstream>

#include <spdlog/spdlog.h>

#include "message_text.h"
#include "tpq/core/error.h"

namespace tpq::io {
namespace {

namespace fs = std::filesystem;

std::string quoted(const fs::path& path) { return "'" + path.string() + "'"; }

std::string errno_text(int error) { return std::strerror(error); }

bool is_disk_full(int error) { return error == ENOSPC || error == EDQUOT; }

[[noreturn]] void throw_write_error(const fs::path& target, const char* operation, int error) {
  if (is_disk_full(error)) {
    throw UserError("disk full while writing " + target.string() + " (" + operation + ": " + errno_text(error) +
                    "; free space on that filesystem and retry)");
  }
  throw UserError(target.string() + ": " + operation + " failed: " + errno_text(error));
}

// The directory a relative bare file name lives in is the working directory.
fs::path directory_of(const fs::path& path) { return path.has_parent_path() ? path.parent_path() : fs::path("."); }

void require_directory(const fs::path& target, const fs::path& directory) {
  std::error_code error;
  const auto status = fs::status(directory, error);
  if (status.type() == fs::file_type::not_found) {
    throw UserError(target.string() + ": cannot write: directory " + quoted(directory) +
                    " does not exist (create it first)");
  }
  if (error) {
    throw UserError(target.string() + ": cannot write: cannot access directory " + quoted(directory) + ": " +
                    error.message());
  }
  if (status.type() != fs::file_type::directory) {
    throw UserError(target.string() + ": cannot write: " + quoted(directory) +
                    " is not a directory (choose an output path inside a directory)");
  }
}

std::string random_suffix() {
  static thread_local std::mt19937_64 generator{std::random_device{}()};
  std::ostringstream suffix;
  suffix << std::hex << generator();
  return suffix.str();
}

}  // namespace

AtomicFileWriter::AtomicFileWriter(std::filesystem::path target) : target_(std::move(target)) {
  const auto directory = directory_of(target_);
  require_directory(target_, directory);
  if (!target_.has_filename()) {
    throw UserError(target_.string() + ": cannot write: the path names a directory, expected a file name");
  }
  // O_EXCL: never reuse a temp file that another writer may still own.
  for (int attempt = 0; attempt < 16 && fd_ < 0; ++attempt) {
    temp_ = directory / (target_.filename().string() + ".tmp." + std::to_string(::getpid()) + "." + random_suffix());
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd_ < 0 && errno != EEXIST) break;
  }
  if (fd_ < 0) {
    const int error = errno;
    if (is_disk_full(error)) throw_write_error(target_, "create temp file", error);
    throw UserError(target_.string() + ": cannot create temp file " + quoted(temp_) + ": " + errno_text(error) +
                    " (check that " + quoted(directory) + " is writable)");
  }
  // Replacing a file keeps its permission bits (e.g. 0600 on a private file); best effort.
  struct stat existing {};
  if (::stat(target_.c_str(), &existing) == 0 && S_ISREG(existing.st_mode)) ::fchmod(fd_, existing.st_mode & 07777);
}

AtomicFileWriter::~AtomicFileWriter() {
  if (!committed_) discard();
}

void AtomicFileWriter::discard() noexcept {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (!temp_.empty()) {
    ::unlink(temp_.c_str());
    temp_.clear();
  }
}

void AtomicFileWriter::write(const void* data, std::size_t size) {
  require(fd_ >= 0 && !committed_, target_.string() + ": write after commit or failure (internal error)");
  const auto* cursor = static_cast<const char*>(data);
  // Linux writes at most ~2 GiB per call; partial writes and EINTR are retried.
  constexpr std::size_t kMaxChunk = std::size_t{1} << 30;
  while (size > 0) {
    const ssize_t written = ::write(fd_, cursor, std::min(size, kMaxChunk));
    if (written < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      discard();
      throw_write_error(target_, "write", error);
    }
    if (written == 0) {  // no progress and no errno: treat as out of space rather than loop forever
      discard();
      throw_write_error(target_, "write", ENOSPC);
    }
    cursor += written;
    size -= static_cast<std::size_t>(written);
  }
}

void AtomicFileWriter::commit() {
  require(fd_ >= 0 && !committed_, target_.string() + ": commit after commit or failure (internal error)");
  // Delayed-allocation filesystems report ENOSPC/EIO at fsync or close, not at write.
  if (::fsync(fd_) != 0) {
    const int error = errno;
    discard();
    throw_write_error(target_, "fsync", error);
  }
  const int close_result = ::close(fd_);
  fd_ = -1;
  if (close_result != 0) {
    const int error = errno;
    discard();
    throw_write_error(target_, "close", error);
  }
  if (::rename(temp_.c_str(), target_.c_str()) != 0) {
    const int error = errno;
    discard();
    throw UserError(target_.string() + ": cannot replace it with " + quoted(temp_) + ": " + errno_text(error));
  }
  committed_ = true;
  sync_directory(directory_of(target_));
}

// The entry is already renamed into place; a failed directory fsync only weakens crash durability,
// so it is logged rather than thrown (throwing would suggest the write did not happen).
void sync_directory(const fs::path& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    spdlog::warn("cannot open directory {} to fsync it: {}", directory.string(), errno_text(errno));
    return;
  }
  // Some filesystems do not support fsync on directories (EINVAL); nothing to do there.
  if (::fsync(fd) != 0 && errno != EINVAL) {
    spdlog::warn("fsync of directory {} failed: {}", directory.string(), errno_text(errno));
  }
  ::close(fd);
}

void write_file_atomic(const std::filesystem::path& path, std::string_view contents) {
  AtomicFileWriter writer(path);
  writer.write(contents);
  writer.commit();
}

void write_json_atomic(const std::filesystem::path& path, const nlohmann::json& value) {
  std::string text;
  try {
    text = value.dump(2) + "\n";
  } catch (const nlohmann::json::exception& error) {
    // dump() throws type_error 316 on strings that are not valid UTF-8.
    throw UserError(path.string() + ": cannot serialize JSON: " + error.what());
  }
  write_file_atomic(path, text);
}

std::string read_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    if (error == ENOENT) throw UserError(path.string() + ": file not found (check the path)");
    throw UserError(path.string() + ": cannot open: " + errno_text(error));
  }
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};

  struct stat info {};
  if (::fstat(fd, &info) != 0) throw UserError(path.string() + ": cannot stat: " + errno_text(errno));
  if (S_ISDIR(info.st_mode)) throw UserError(path.string() + ": is a directory, expected a file");

  std::string contents;
  // st_size is only a hint (0 for /proc files); reading goes on until EOF.
  if (S_ISREG(info.st_mode) && info.st_size > 0) contents.reserve(static_cast<std::size_t>(info.st_size));
  char buffer[1 << 16];
  for (;;) {
    const ssize_t count = ::read(fd, buffer, sizeof buffer);
    if (count < 0) {
      if (errno == EINTR) continue;
      throw UserError(path.string() + ": read failed: " + errno_text(errno));
    }
    if (count == 0) break;
    contents.append(buffer, static_cast<std::size_t>(count));
  }
  return contents;
}

namespace {

// nlohmann reports the 1-based index of the byte where parsing failed; editors want line:column.
std::pair<std::size_t, std::size_t> line_and_column(const std::string& text, std::size_t byte) {
  const std::size_t offset = std::min(byte == 0 ? 0 : byte - 1, text.size());
  const std::string_view before(text.data(), offset);
  const auto line = 1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
  const auto last_newline = before.rfind('\n');
  const std::size_t column = last_newline == std::string_view::npos ? offset + 1 : offset - last_newline;
  return {line, column};
}

}  // namespace

nlohmann::json read_json_file(const std::filesystem::path& path) {
  const std::string text = read_file(path);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& error) {
    const auto [line, column] = line_and_column(text, error.byte);
    throw UserError(path.string() + ":" + std::to_string(line) + ":" + std::to_string(column) + ": invalid JSON: " +
                    detail::json_parse_error_text(error.what()) + " (fix the syntax at that position)");
  }
}

}  // namespace tpq::io
