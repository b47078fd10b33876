// A speed-up with its uncertainty, from timings taken side by side. Round i timed the reference
// and the candidate back to back, so r_i = reference_ms_i / candidate_ms_i cancels the load drift
// that both saw. The speed-up is the median of the r_i, and its interval the distribution-free
// confidence interval of a median: two order statistics of the r_i chosen from Binomial(n, 1/2).
// No normality is assumed; batch-1 timings on a shared machine have long right tails.
#pragma once

#include <cstdint>
#include <vector>

namespace tpq::eval {

struct SpeedupInterval {
  double median = 0;       // reference time / candidate time: > 1 means the candidate is faster
  double low = 0, high = 0;
  double confidence = 0;   // the interval's exact coverage (>= the nominal level), 0 when n is too small
  int64_t rounds = 0;
  // Whether the interval excludes 1: otherwise the candidate's speed is "no measurable difference".
  bool measurable() const { return confidence > 0 && (low > 1.0 || high < 1.0); }
};

// Per-round paired ratios of two equally long timing series (ms, > 0). With fewer than 6 rounds no
// pair of order statistics reaches 95 %, so the interval is the whole range and confidence is 0.
SpeedupInterval paired_speedup(const std::vector<double>& reference_ms, const std::vector<double>& candidate_ms,
                               double nominal_confidence = 0.95);

}  // namespace tpq::eval
