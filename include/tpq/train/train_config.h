// Fine-tuning hyper-parameters (the `training:` section of a profile / --config, then CLI flags).
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "tpq/core/config_tree.h"

namespace tpq::train {

struct TrainConfig {
  int64_t epochs = 3;
  int64_t batch_size = 32;
  double learning_rate = 2e-5;
  double weight_decay = 0.01;  // AdamW; not applied to biases and LayerNorm weights (as HF)
  double adam_epsilon = 1e-8;
  double warmup_ratio = 0.1;   // linear warm-up over this fraction of steps, then linear decay to 0
  double max_grad_norm = 1.0;  // <= 0: no clipping
  int64_t gradient_accumulation_steps = 1;
  int64_t early_stopping_patience = 0;  // epochs without validation improvement; 0 = off
  std::string amp = "none";             // none | bf16 (CPU or CUDA autocast) | fp16 (CUDA) | auto
  bool length_bucketing = true;         // batches of similar length: less padding, same maths
  int64_t log_every_steps = 20;
  int64_t eval_batch_size = 64;
  // Training snapshots for --resume: at every epoch end, and every this many optimizer steps
  // (0: epoch ends only). MLM pre-training snapshots on the same step count.
  int64_t checkpoint_every_steps = 200;
  // Masked-LM pre-training on the training texts before fine-tuning (from-scratch models only).
  int64_t mlm_epochs = 0;
  double mlm_learning_rate = 5e-4;
  double mlm_mask_probability = 0.15;

  static TrainConfig from(ConfigSection& section);  // validates; UserError naming the key
  nlohmann::json to_json() const;
};

// training.amp "auto": bf16 autocast on a CPU that computes bf16 natively (AVX512_BF16 / AMX),
// where it trains about 1.5x faster; fp32 ("none") elsewhere, CUDA included (pick bf16 or fp16
// there yourself). Any other value is returned as given.
std::string resolve_amp(const std::string& amp, bool cuda);

}  // namespace tpq::train
