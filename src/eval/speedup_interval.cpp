#include "tpq/eval/speedup_interval.h"

#include <algorithm>
#include <cmath>

#include "tpq/core/error.h"
#include "tpq/eval/speed.h"

namespace tpq::eval {
namespace {

// P(X <= k) for X ~ Binomial(n, 1/2).
double binomial_half_cdf(int64_t k, int64_t n) {
  double total = 0;
  for (int64_t i = 0; i <= k; ++i) {
    total += std::exp(std::lgamma(n + 1.0) - std::lgamma(i + 1.0) - std::lgamma(n - i + 1.0) - n * std::log(2.0));
  }
  return total;
}

}  // namespace

SpeedupInterval paired_speedup(const std::vector<double>& reference_ms, const std::vector<double>& candidate_ms,
                               double nominal_confidence) {
  require(reference_ms.size() == candidate_ms.size() && !reference_ms.empty(),
          "paired speed-up needs two timing series of the same, non-zero length");
  std::vector<double> ratios;
  for (std::size_t i = 0; i < reference_ms.size(); ++i) {
    require(reference_ms[i] > 0 && candidate_ms[i] > 0, "paired speed-up needs positive timings");
    ratios.push_back(reference_ms[i] / candidate_ms[i]);
  }
  std::sort(ratios.begin(), ratios.end());
  const auto n = static_cast<int64_t>(ratios.size());
  SpeedupInterval interval;
  interval.rounds = n;
  interval.median = percentile(ratios, 50);
  interval.low = ratios.front();
  interval.high = ratios.back();
  // The widest k with coverage 1 - 2 P(X <= k - 1) still >= nominal: [r_(k), r_(n+1-k)], 1-based.
  const double tail = (1.0 - nominal_confidence) / 2.0;
  int64_t k = 0;
  while (k + 1 <= n / 2 && binomial_half_cdf(k, n) <= tail) ++k;
  if (k == 0) return interval;  // too few rounds for the nominal level
  interval.low = ratios[k - 1];
  interval.high = ratios[n - k];
  interval.confidence = 1.0 - 2.0 * binomial_half_cdf(k - 1, n);
  return interval;
}

}  // namespace tpq::eval
