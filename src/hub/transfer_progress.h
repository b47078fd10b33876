// Download progress on stderr: on a terminal a bar redrawn in place (bytes, rate, ETA), otherwise
// plain log lines every 10 s and a summary line at the end, so CI logs stay readable.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "tpq/hub/hub_options.h"

namespace tpq::hub {

class TransferProgress {
 public:
  // total: bytes of the whole file (0 = unknown); already: bytes on disk before this run (resume).
  TransferProgress(std::string label, std::uint64_t total, std::uint64_t already, ProgressStyle style);
  void advance(std::uint64_t bytes);
  void restart_from(std::uint64_t bytes_on_disk);  // the server ignored a Range: counting starts over
  void finish();                                   // the summary line (bytes, time, rate)

 private:
  void draw(bool final_draw);
  void log_line();

  std::string label_;
  std::uint64_t total_;
  std::uint64_t done_;
  std::uint64_t done_at_start_;
  ProgressStyle style_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_output_;
};

// "12.3 MB", "512 B": decimal units, as huggingface_hub's tqdm bars show them.
std::string format_bytes(double bytes);

}  // namespace tpq::hub
