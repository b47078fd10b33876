#include "train/lr_schedule.h"

#include <algorithm>
#include <cmath>

namespace tpq::train {

double linear_warmup_decay(double peak, int64_t step, int64_t total_steps, double warmup_ratio) {
  const auto warmup = static_cast<int64_t>(std::ceil(warmup_ratio * total_steps));
  const int64_t position = step + 1;
  if (position <= warmup) return peak * static_cast<double>(position) / warmup;
  const double remaining = static_cast<double>(total_steps - position + 1) / (total_steps - warmup + 1);
  return peak * std::clamp(remaining, 0.0, 1.0);
}

}  // namespace tpq::train
