// Process memory as the kernel counts it: current and peak resident set size. The peak can be
// reset (Linux /proc/self/clear_refs) so an evaluation's peak is not the training's.
#pragma once

#include <string>

namespace tpq::eval {

double current_rss_mb();
double peak_rss_mb();
// Returns false where the kernel does not allow it (peak then covers the whole process lifetime).
bool reset_peak_rss();

// The memory one phase of a run (data preparation, MLM, fine-tuning) used.
struct PhaseMemory {
  std::string phase;
  double peak_rss_mb = 0;           // the process's peak RSS during the phase
  double rss_after_release_mb = 0;  // what the phase left resident once the free heap went back
  bool peak_is_phase_only = true;   // false: the kernel refused a reset, the peak is the process's so far
};

// Starts a phase: returns the free heap to the kernel and resets the peak, so the phase's peak
// is its own and not an earlier phase's cached memory. finish() reads the peak, then frees again.
class PhaseMemoryMeter {
 public:
  explicit PhaseMemoryMeter(std::string phase);
  PhaseMemory finish() const;

 private:
  std::string phase_;
  bool reset_ = false;
};

}  // namespace tpq::eval
