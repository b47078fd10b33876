// TEMPORARY stand-in for tpq::io::write_file_atomic (declared in include/tpq/io/atomic_file.h and
// implemented on the io branch); delete this file when src/io/atomic_file.cpp is merged.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "tpq/core/error.h"
#include "tpq/io/atomic_file.h"

namespace tpq::io {

void write_file_atomic(const std::filesystem::path& path, std::string_view contents) {
  const auto directory = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  const auto temp = directory / (path.filename().string() + "." + std::to_string(std::random_device{}()) + ".tmp");
  const auto fail = [&](const std::string& what) {
    const std::string reason = std::strerror(errno);
    std::filesystem::remove(temp);
    throw UserError(path.string() + ": cannot write (" + what + ": " + reason + ")");
  };
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("open");
  for (std::size_t written = 0; written < contents.size();) {
    const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) { ::close(fd); fail("write"); }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) { ::close(fd); fail("fsync"); }
  if (::close(fd) != 0) fail("close");
  if (::rename(temp.c_str(), path.c_str()) != 0) fail("rename");
  const int dir_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

}  // namespace tpq::io
