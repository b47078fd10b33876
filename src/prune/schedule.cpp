#include "tpq/prune/schedule.h"

#include <cmath>

#include "tpq/core/error.h"

namespace tpq::prune {

ScheduleKind parse_schedule(const std::string& text, const std::string& where) {
  if (text == "cubic") return ScheduleKind::Cubic;
  if (text == "linear") return ScheduleKind::Linear;
  throw UserError(where + ": unknown schedule '" + text + "'; use cubic or linear");
}

std::string to_string(ScheduleKind kind) { return kind == ScheduleKind::Cubic ? "cubic" : "linear"; }

double scheduled_sparsity(double initial, double final_sparsity, int64_t t, int64_t n, ScheduleKind kind) {
  require(n > 0 && t >= 0 && t <= n, "sparsity schedule: step " + std::to_string(t) + " of " + std::to_string(n));
  const double progress = static_cast<double>(t) / static_cast<double>(n);
  if (kind == ScheduleKind::Linear) return initial + (final_sparsity - initial) * progress;
  return final_sparsity + (initial - final_sparsity) * std::pow(1.0 - progress, 3);
}

std::vector<double> sparsity_schedule(double initial, double final_sparsity, int64_t n, ScheduleKind kind) {
  std::vector<double> targets;
  for (int64_t t = 1; t <= n; ++t) targets.push_back(scheduled_sparsity(initial, final_sparsity, t, n, kind));
  return targets;
}

}  // namespace tpq::prune
