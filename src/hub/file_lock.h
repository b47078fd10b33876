// An exclusive flock(2) on a lock file, taken as Python's filelock takes it (huggingface_hub locks
// blobs/{etag}.lock), so two tpq processes, or tpq and Python, never download one blob at once.
#pragma once

#include <filesystem>
#include <functional>

namespace tpq::hub {

class FileLock {
 public:
  // Blocks until the lock is held; calls on_wait once if another process holds it first.
  // UserError naming the file if it cannot be created.
  explicit FileLock(std::filesystem::path path, const std::function<void()>& on_wait = {});
  // Removes the lock file while still holding it, then unlocks: a waiter that wakes on the removed
  // file sees it is gone and locks the new one, so two holders never coexist among tpq processes.
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace tpq::hub
