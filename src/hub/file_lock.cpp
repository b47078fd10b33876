// flock(2)-based lock file with the unlink-while-held protocol (checked by inode after locking).
#include "file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tpq/core/error.h"

namespace tpq::hub {
namespace {

// The file we locked is still the one at `path` (not removed by the previous holder meanwhile).
bool still_at_path(int fd, const std::filesystem::path& path) {
  struct stat held {}, current {};
  if (::fstat(fd, &held) != 0 || ::stat(path.c_str(), &current) != 0) return false;
  return held.st_dev == current.st_dev && held.st_ino == current.st_ino;
}

}  // namespace

FileLock::FileLock(std::filesystem::path path, const std::function<void()>& on_wait) : path_(std::move(path)) {
  bool told = false;
  while (true) {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
    if (fd_ < 0) {
      throw UserError("cannot create the lock file " + path_.string() + ": " + std::strerror(errno) +
                      " (is the cache directory writable?)");
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      if (!told && on_wait) on_wait();
      told = true;
      int status = 0;
      while ((status = ::flock(fd_, LOCK_EX)) != 0 && errno == EINTR) {
      }
      if (status != 0) {
        const int error = errno;
        ::close(fd_);
        throw UserError("cannot lock " + path_.string() + ": " + std::strerror(error));
      }
    }
    if (still_at_path(fd_, path_)) return;
    ::close(fd_);  // the previous holder removed it: lock the file that is there now
  }
}

FileLock::~FileLock() {
  ::unlink(path_.c_str());
  ::close(fd_);  // closing the last descriptor releases the flock
}

}  // namespace tpq::hub
