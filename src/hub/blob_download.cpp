// The streaming download of one blob: a BodySink that appends to the .incomplete file, hashes and
// counts as bytes arrive, and a loop that resumes it with Range after each interruption.
#include "blob_download.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>

#include <spdlog/spdlog.h>

#include "hub_request.h"
#include "sha256_stream.h"
#include "transfer_progress.h"
#include "tpq/core/error.h"

namespace tpq::hub {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// The .incomplete file, with the running size and hash of what it holds.
class PartialBlob final : public BodySink {
 public:
  PartialBlob(fs::path path, const RemoteFile& file, std::string what);
  ~PartialBlob() override;
  PartialBlob(const PartialBlob&) = delete;
  PartialBlob& operator=(const PartialBlob&) = delete;

  std::uint64_t size() const { return size_; }
  void set_progress(TransferProgress* progress) { progress_ = progress; }
  void mark_interrupted() { interrupted_at_ = Clock::now(); }
  void begin(const HttpResponse& response) override;
  void write(const char* data, std::size_t size) override;
  void restart();             // empties the file: the next request starts at byte 0
  void verify_and_sync();     // size, sha256, fsync; a mismatch discards the file
  [[noreturn]] void discard_and_fail(const std::string& message);

 private:
  fs::path path_;
  const RemoteFile& file_;
  std::string what_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::unique_ptr<Sha256Stream> hash_;  // LFS files only
  TransferProgress* progress_ = nullptr;
  std::optional<Clock::time_point> interrupted_at_;
};

PartialBlob::PartialBlob(fs::path path, const RemoteFile& file, std::string what)
    : path_(std::move(path)), file_(file), what_(std::move(what)) {
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd_ < 0) throw UserError("cannot write " + path_.string() + ": " + std::strerror(errno));
  struct stat info {};
  ::fstat(fd_, &info);
  size_ = static_cast<std::uint64_t>(info.st_size);
  if (file_.lfs) hash_ = std::make_unique<Sha256Stream>();
  if (file_.size && size_ > *file_.size) restart();  // longer than the file: not a prefix of it
  if (size_ > 0) {
    spdlog::info("resuming {} from {} left by an earlier run", what_, format_bytes(static_cast<double>(size_)));
    if (hash_) hash_file_prefix(path_, size_, *hash_);  // the earlier run's hash state is gone
  }
  ::lseek(fd_, 0, SEEK_END);
}

PartialBlob::~PartialBlob() {
  if (fd_ >= 0) ::close(fd_);
}

void PartialBlob::restart() {
  if (::ftruncate(fd_, 0) != 0) throw UserError("cannot truncate " + path_.string() + ": " + std::strerror(errno));
  ::lseek(fd_, 0, SEEK_SET);
  size_ = 0;
  if (hash_) hash_->reset();
  if (progress_ != nullptr) progress_->restart_from(0);
}

void PartialBlob::begin(const HttpResponse& response) {
  if (response.status == 206) {
    // "bytes START-END/TOTAL": the server must resume exactly where the file ends.
    const std::string range = response.header("content-range");
    const auto start = range.rfind("bytes ", 0) == 0 ? std::strtoull(range.c_str() + 6, nullptr, 10) : ~0ULL;
    if (start != size_) {
      restart();
      throw TransportError("the server resumed " + what_ + " at '" + range + "', not at byte " +
                               std::to_string(size_) + "; starting over", /*retryable=*/true);
    }
  } else if (size_ > 0) {
    spdlog::info("the server ignored the resume range for {}: downloading it whole", what_);
    restart();
  }
  if (interrupted_at_) {
    const double waited = std::chrono::duration<double>(Clock::now() - *interrupted_at_).count();
    spdlog::info("resumed {} at byte {} ({:.2f} s after the interruption)", what_, size_, waited);
    interrupted_at_.reset();
  }
}

void PartialBlob::write(const char* data, std::size_t size) {
  if (file_.size && size_ + size > *file_.size) {
    discard_and_fail("the server sent more than the " + std::to_string(*file_.size) + " bytes the Hub announced for " +
                     what_ + "; the partial download was discarded");
  }
  for (std::size_t done = 0; done < size;) {
    const ssize_t written = ::write(fd_, data + done, size - done);
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) {
      const int error = errno;
      throw UserError((error == ENOSPC || error == EDQUOT ? "disk full" : std::string(std::strerror(error))) +
                      " while writing " + path_.string() + " (" + what_ + ", " + std::to_string(size_ + done) +
                      " bytes written); free space or set HF_HUB_CACHE to another disk, then run again to resume");
    }
    done += static_cast<std::size_t>(written);
  }
  if (hash_) hash_->update(data, size);
  size_ += size;
  if (progress_ != nullptr) progress_->advance(size);
}

void PartialBlob::discard_and_fail(const std::string& message) {
  ::close(fd_);
  fd_ = -1;
  ::unlink(path_.c_str());
  throw UserError(message);
}

void PartialBlob::verify_and_sync() {
  if (file_.size && size_ != *file_.size) {
    discard_and_fail(what_ + ": got " + std::to_string(size_) + " bytes, the Hub announced " +
                     std::to_string(*file_.size) + "; the partial download was discarded, run again");
  }
  if (hash_) {
    const std::string digest = hash_->hex_digest();
    if (digest != file_.etag) {
      discard_and_fail("sha256 mismatch for " + what_ + ": expected " + file_.etag + ", got " + digest +
                       "; the corrupted download was discarded and nothing was cached (run again; if it persists, "
                       "something between you and the Hub alters the file)");
    }
  }
  if (::fsync(fd_) != 0) throw UserError("cannot sync " + path_.string() + ": " + std::strerror(errno));
  ::close(fd_);
  fd_ = -1;
}

// One GET of the file from the current offset, following redirects by hand (the token is added
// per URL by request_headers, so it never reaches another host).
HttpResponse get_from(HttpSession& session, const std::string& url, PartialBlob& blob, const HubOptions& options) {
  std::string current = url;
  RedirectChain chain(url, options.transfer.max_redirects);
  while (true) {
    auto headers = request_headers(current, options);
    if (blob.size() > 0) headers.push_back("Range: bytes=" + std::to_string(blob.size()) + "-");
    HttpResponse response = session.get(current, headers, blob);
    if (response.status < 300 || response.status >= 400 || response.redirect_url.empty()) return response;
    chain.follow(response.redirect_url);
    current = response.redirect_url;
  }
}

void check_disk_space(const fs::path& dir, const RemoteFile& file, std::uint64_t have, const std::string& what) {
  if (!file.size || *file.size <= have) return;
  const auto free_bytes = free_disk_bytes(dir);
  const std::uint64_t needed = *file.size - have;
  if (free_bytes && *free_bytes < needed) {
    throw UserError("disk full: " + what + " needs " + format_bytes(static_cast<double>(needed)) + " more, " +
                    format_bytes(static_cast<double>(*free_bytes)) + " are free in " + dir.string() +
                    "; free space or set HF_HUB_CACHE to another disk");
  }
}

}  // namespace

std::optional<std::uint64_t> free_disk_bytes(const fs::path& dir) {
  struct statvfs info {};
  if (::statvfs(dir.c_str(), &info) != 0) return std::nullopt;
  return static_cast<std::uint64_t>(info.f_bavail) * info.f_frsize;
}

void download_blob(HttpSession& session, const RemoteFile& file, const fs::path& incomplete,
                   const std::string& repo_text, const HubOptions& options) {
  const std::string what = "'" + file.name + "' of " + repo_text;
  std::error_code no_partial_file;
  const auto partial_size = fs::is_regular_file(incomplete) ? fs::file_size(incomplete, no_partial_file) : 0;
  check_disk_space(incomplete.parent_path(), file, partial_size, what);  // before creating anything
  PartialBlob blob(incomplete, file, what);
  TransferProgress progress(file.name, file.size.value_or(0), blob.size(), options.progress);
  blob.set_progress(&progress);
  Backoff backoff(options.transfer);
  bool complete = file.size && blob.size() == *file.size;
  while (!complete) {
    const std::uint64_t before = blob.size();
    std::string failure;
    try {
      const HttpResponse response = get_from(session, file.download_url, blob, options);
      if (response.status >= 200 && response.status < 300) {
        complete = !file.size || blob.size() == *file.size;
        if (!complete) failure = "the connection closed at byte " + std::to_string(blob.size());
      } else if (response.status == 416 && blob.size() > 0) {
        failure = "the server refused to resume (416)";
        blob.restart();
      } else if (is_retryable_status(response.status)) {
        failure = "the server answered " + std::to_string(response.status);
      } else {
        throw UserError(what + ": download failed with HTTP " + std::to_string(response.status) + " from " +
                        url_for_messages(file.download_url) + " (if it is a storage link that expired, run again)");
      }
    } catch (const TransportError& error) {
      if (!error.retryable()) throw UserError(error.what());
      failure = error.what();
    }
    if (complete) break;
    blob.mark_interrupted();
    if (!backoff.record_failure(blob.size() > before)) {
      throw UserError("download of " + what + " failed after " + std::to_string(options.transfer.max_attempts) +
                      " attempts (" + failure + "); run again to resume from the " + std::to_string(blob.size()) +
                      " bytes kept");
    }
    spdlog::warn("download of {} interrupted at {} ({}); resuming in {:.1f} s", what,
                 format_bytes(static_cast<double>(blob.size())), failure, backoff.delay_s());
    backoff.wait();
  }
  blob.verify_and_sync();
  progress.finish();
}

}  // namespace tpq::hub
