// The learning-rate schedule both fine-tuning and MLM pre-training use: linear warm-up to the peak
// over ceil(warmup_ratio * total) steps, then linear decay towards 0.
#pragma once

#include <cstdint>

namespace tpq::train {

// step is 0-based; every step (the first and the last included) gets a non-zero rate.
double linear_warmup_decay(double peak, int64_t step, int64_t total_steps, double warmup_ratio);

}  // namespace tpq::train
