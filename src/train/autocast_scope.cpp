#include "train/autocast_scope.h"

#include <ATen/autocast_mode.h>

#include "tpq/train/train_config.h"

namespace tpq::train {

AutocastScope::AutocastScope(const std::string& requested, torch::Device device) {
  const std::string amp = resolve_amp(requested, device.is_cuda());
  if (amp == "none") return;
  active_ = true;
  cuda_ = device.is_cuda();
  const auto dtype = amp == "bf16" ? at::kBFloat16 : at::kHalf;
  if (cuda_) {
    at::autocast::set_autocast_gpu_dtype(dtype);
    at::autocast::set_enabled(true);
  } else {
    at::autocast::set_autocast_cpu_dtype(dtype);
    at::autocast::set_cpu_enabled(true);
  }
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  if (cuda_) {
    at::autocast::set_enabled(false);
  } else {
    at::autocast::set_cpu_enabled(false);
  }
  at::autocast::clear_cache();
}

}  // namespace tpq::train
