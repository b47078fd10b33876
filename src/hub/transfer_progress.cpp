// Byte progress: a terminal bar (at most 10 redraws a second) or 10-second log lines.
#include "transfer_progress.h"

#include <unistd.h>

#include <cstdio>

#include <spdlog/spdlog.h>

namespace tpq::hub {
namespace {

using Clock = std::chrono::steady_clock;

ProgressStyle effective_style(ProgressStyle style) {
  if (style != ProgressStyle::automatic) return style;
  return isatty(STDERR_FILENO) == 1 ? ProgressStyle::bar : ProgressStyle::lines;
}

std::string format_eta(double seconds) {
  if (seconds < 0 || seconds > 99 * 3600) return "--:--";
  const auto total = static_cast<long long>(seconds + 0.5);
  char text[32];
  if (total >= 3600) {
    std::snprintf(text, sizeof(text), "%lld:%02lld:%02lld", total / 3600, total / 60 % 60, total % 60);
  } else {
    std::snprintf(text, sizeof(text), "%02lld:%02lld", total / 60, total % 60);
  }
  return text;
}

}  // namespace

std::string format_bytes(double bytes) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  int unit = 0;
  while (bytes >= 1000 && unit < 4) {
    bytes /= 1000;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof(text), unit == 0 ? "%.0f %s" : "%.1f %s", bytes, units[unit]);
  return text;
}

TransferProgress::TransferProgress(std::string label, std::uint64_t total, std::uint64_t already, ProgressStyle style)
    : label_(std::move(label)), total_(total), done_(already), done_at_start_(already),
      style_(effective_style(style)), start_(Clock::now()), last_output_(start_) {
  // Small files get only the summary line; a start line says a long wait has begun.
  if (style_ == ProgressStyle::lines && (total_ == 0 || total_ >= 10'000'000 || already > 0)) {
    spdlog::info("downloading {} ({}{})", label_, total_ > 0 ? format_bytes(static_cast<double>(total_)) : "size unknown",
                 already > 0 ? ", resuming at " + format_bytes(static_cast<double>(already)) : "");
  }
}

void TransferProgress::advance(std::uint64_t bytes) {
  done_ += bytes;
  const auto now = Clock::now();
  if (style_ == ProgressStyle::bar && now - last_output_ >= std::chrono::milliseconds(100)) {
    last_output_ = now;
    draw(false);
  } else if (style_ == ProgressStyle::lines && now - last_output_ >= std::chrono::seconds(10)) {
    last_output_ = now;
    log_line();
  }
}

void TransferProgress::restart_from(std::uint64_t bytes_on_disk) {
  done_ = bytes_on_disk;
  done_at_start_ = bytes_on_disk;
  start_ = Clock::now();
}

void TransferProgress::draw(bool final_draw) {
  const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done_ - done_at_start_) / elapsed : 0;
  const double eta = rate > 0 && total_ > done_ ? static_cast<double>(total_ - done_) / rate : (total_ ? 0 : -1);
  constexpr int kWidth = 24;
  const int filled = total_ > 0 ? static_cast<int>(kWidth * std::min<double>(1.0, double(done_) / double(total_))) : 0;
  const std::string percent = total_ > 0 ? std::to_string(100 * done_ / total_) + "%" : "";
  std::fprintf(stderr, "\r%s %4s [%s%s] %s/%s %s/s ETA %s\033[K%s", label_.c_str(), percent.c_str(),
               std::string(filled, '#').c_str(), std::string(kWidth - filled, '.').c_str(),
               format_bytes(static_cast<double>(done_)).c_str(),
               total_ > 0 ? format_bytes(static_cast<double>(total_)).c_str() : "?", format_bytes(rate).c_str(),
               format_eta(eta).c_str(), final_draw ? "\n" : "");
  std::fflush(stderr);
}

void TransferProgress::log_line() {
  const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done_ - done_at_start_) / elapsed : 0;
  const double eta = rate > 0 && total_ > done_ ? static_cast<double>(total_ - done_) / rate : -1;
  spdlog::info("{}: {}{} of {}, {}/s, ETA {}", label_, format_bytes(static_cast<double>(done_)),
               total_ > 0 ? " (" + std::to_string(100 * done_ / total_) + "%)" : "",
               total_ > 0 ? format_bytes(static_cast<double>(total_)) : "?", format_bytes(rate), format_eta(eta));
}

void TransferProgress::finish() {
  const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
  const auto fetched = static_cast<double>(done_ - done_at_start_);
  if (style_ == ProgressStyle::bar) draw(true);
  if (style_ != ProgressStyle::none) {
    spdlog::info("downloaded {}: {} in {:.1f} s ({}/s)", label_, format_bytes(fetched), elapsed,
                 format_bytes(elapsed > 0 ? fetched / elapsed : 0));
  }
}

}  // namespace tpq::hub
