// Progress on stderr: a live bar (done/total, rate, ETA, caller's text) on a terminal, plain
// periodic log lines otherwise (CI logs, files).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace tpq::train {

class Progress {
 public:
  // shown = false: updates are silent (data-parallel ranks other than 0), finish() still logs.
  Progress(std::string label, int64_t total, int64_t log_every, bool shown = true);
  // done: units finished so far; detail: e.g. "loss 0.41 lr 3.2e-5".
  void update(int64_t done, const std::string& detail);
  void finish(const std::string& detail);

 private:
  std::string label_;
  int64_t total_;
  int64_t log_every_;
  bool shown_;
  bool is_terminal_;
  int64_t last_logged_ = -1;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace tpq::train
