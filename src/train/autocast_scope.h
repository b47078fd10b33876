// Mixed-precision autocast for a training step (fine-tuning and MLM pre-training share it).
#pragma once

#include <string>

#include <torch/types.h>

namespace tpq::train {

// Enables autocast for the scope (bf16 on CPU or CUDA, fp16 on CUDA), restoring the old state after.
// amp: "none" (does nothing), "bf16" or "fp16" (validated by TrainConfig).
class AutocastScope {
 public:
  AutocastScope(const std::string& amp, torch::Device device);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool active_ = false;
  bool cuda_ = false;
};

}  // namespace tpq::train
