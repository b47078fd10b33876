// Dynamic loss scaling for fp16 mixed-precision training (what torch.cuda.amp.GradScaler does,
// which LibTorch's C++ API lacks): scale the loss up so small fp16 gradients don't flush to zero,
// unscale before the step, skip steps whose gradients overflowed and halve the scale.
#pragma once

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/types.h>

namespace tpq::train {

class LossScaler {
 public:
  explicit LossScaler(bool enabled, double initial_scale = 65536.0, int64_t growth_interval = 2000);

  torch::Tensor scale(const torch::Tensor& loss) const;  // loss * scale (or loss when disabled)
  // Divides gradients by the scale; false if any is inf/NaN (then skip the step). Updates the scale.
  bool unscale_and_check(const std::vector<torch::Tensor>& parameters);
  double current_scale() const { return scale_; }
  int64_t skipped_steps() const { return skipped_; }
  // What a training snapshot keeps of it (train/training_state.h).
  nlohmann::json state() const;
  void restore(const nlohmann::json& state);

 private:
  bool enabled_;
  double scale_;
  int64_t growth_interval_;
  int64_t good_steps_ = 0;
  int64_t skipped_ = 0;
};

}  // namespace tpq::train
