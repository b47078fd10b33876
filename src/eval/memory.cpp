#include "tpq/eval/memory.h"

#include <sys/resource.h>

#include <fstream>
#include <string>
#include <utility>

#include "tpq/core/allocator.h"

namespace tpq::eval {
namespace {

// Reads "Key:   1234 kB" from /proc/self/status; -1 if absent.
double status_kb(const std::string& key) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(key + ":", 0) == 0) return std::stod(line.substr(key.size() + 1));
  }
  return -1;
}

}  // namespace

double current_rss_mb() { return status_kb("VmRSS") / 1024.0; }

double peak_rss_mb() {
  const double hwm = status_kb("VmHWM");
  if (hwm >= 0) return hwm / 1024.0;
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;  // kB on Linux
}

bool reset_peak_rss() {
  std::ofstream clear_refs("/proc/self/clear_refs");
  if (!clear_refs) return false;
  clear_refs << "5";  // "reset the peak resident set size" (Linux >= 4.0)
  return static_cast<bool>(clear_refs.flush());
}

PhaseMemoryMeter::PhaseMemoryMeter(std::string phase) : phase_(std::move(phase)) {
  release_free_heap();
  reset_ = reset_peak_rss();
}

PhaseMemory PhaseMemoryMeter::finish() const {
  PhaseMemory memory;
  memory.phase = phase_;
  memory.peak_rss_mb = peak_rss_mb();
  memory.peak_is_phase_only = reset_;
  release_free_heap();
  memory.rss_after_release_mb = current_rss_mb();
  return memory;
}

}  // namespace tpq::eval
