// The course guide's configuration files (configs/base_config.yaml, pruning_config.yaml,
// quantization_config.yaml, training_config.yaml, model_config.yaml, experiment_config.yaml) use
// keys of the guide's Python project: model.name, pruning.attention_head_pruning.num_heads_to_prune,
// experiments.<name>.enabled ... Before tpq's strict reader sees a --config file, these are
// rewritten to tpq's keys; what tpq cannot honour is removed with a warning that says why.
#pragma once

#include <string>
#include <vector>

#include "tpq/core/config_tree.h"

namespace tpq::pipeline {

// Rewrites the guide's keys in `tree` in place; returns one warning per key not honoured.
// tpq's own keys pass through untouched, and unknown keys are left for the reader to reject.
std::vector<std::string> translate_guide_keys(ConfigTree& tree);

}  // namespace tpq::pipeline
