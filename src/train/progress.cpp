#include "train/progress.h"

#include <unistd.h>

#include <cstdio>

#include <spdlog/spdlog.h>

namespace tpq::train {
namespace {

std::string format_duration(double seconds) {
  const auto total = static_cast<int64_t>(seconds + 0.5);
  char text[32];
  std::snprintf(text, sizeof(text), "%02lld:%02lld", static_cast<long long>(total / 60), static_cast<long long>(total % 60));
  return text;
}

}  // namespace

Progress::Progress(std::string label, int64_t total, int64_t log_every, bool shown)
    : label_(std::move(label)), total_(total), log_every_(log_every), shown_(shown), is_terminal_(isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()) {}

void Progress::update(int64_t done, const std::string& detail) {
  if (!shown_) return;
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? done / elapsed : 0;
  const double eta = rate > 0 ? (total_ - done) / rate : 0;
  if (is_terminal_) {
    if (now - last_draw_ < std::chrono::milliseconds(200) && done < total_) return;
    last_draw_ = now;
    const int width = 24;
    const int filled = total_ > 0 ? static_cast<int>(width * done / total_) : width;
    std::fprintf(stderr, "\r%s [%s%s] %lld/%lld %s<%s %s\033[K", label_.c_str(), std::string(filled, '#').c_str(),
                 std::string(width - filled, '.').c_str(), static_cast<long long>(done), static_cast<long long>(total_),
                 format_duration(elapsed).c_str(), format_duration(eta).c_str(), detail.c_str());
    std::fflush(stderr);
  } else if (done / log_every_ != last_logged_ / log_every_ || done == total_) {
    last_logged_ = done;
    spdlog::info("{} {}/{} elapsed {} eta {} {}", label_, done, total_, format_duration(elapsed), format_duration(eta), detail);
  }
}

void Progress::finish(const std::string& detail) {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (is_terminal_ && shown_) std::fprintf(stderr, "\r\033[K");
  spdlog::info("{} done in {} {}", label_, format_duration(elapsed), detail);
}

}  // namespace tpq::train
