// The config sections several experiments share: `quantization:` (02-05) and `pruning:` (06-09).
// Each experiment reads its own keys and accepts the others' from these one lists, so a key added
// for one experiment never makes a sibling reject the same profile.
#pragma once

#include <string>
#include <vector>

namespace tpq::pipeline {

inline const std::vector<std::string>& quantization_section_keys() {
  static const std::vector<std::string> keys = {
      "baseline_model", "engine", "include_pooler_and_classifier",              // 02
      "calibration_samples", "observers", "granularities", "observer", "granularity",  // 03
      "epochs", "steps", "learning_rate", "freeze_observers_ratio", "weight_bits",  // 04
      "precisions", "keep_fp32_top_k", "sensitivity_samples"};                  // 05
  return keys;
}

inline const std::vector<std::string>& pruning_section_keys() {
  static const std::vector<std::string> keys = {
      "baseline_model", "calibration_samples", "fine_tune_epochs", "fine_tune_steps", "fine_tune_learning_rate",
      "heads", "head_fractions", "ffn_sparsity", "head_importance", "combined_head_fraction",
      "combined_ffn_sparsity",                                                   // 06
      "sparsities", "sparsity", "scope", "importance", "prune_word_embeddings",  // 07, 08
      "initial_sparsity", "final_sparsity", "iterations", "schedule", "steps_per_iteration",  // 08
      "quantization", "granularity"};                                           // 09
  return keys;
}

}  // namespace tpq::pipeline
