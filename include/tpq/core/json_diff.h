// Where two JSON configurations differ, as one readable line: each differing key (a dotted path)
// with both values. Used where a run must match what another made (the ranks of a job, a resumed
// training checkpoint).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace tpq {

// "training.learning_rate (checkpoint: 2e-05, here: 3e-05), ..." with `theirs_name` naming the
// other side; the first four differences and a count of the rest; empty when equal.
std::string json_differences(const nlohmann::json& ours, const nlohmann::json& theirs, const std::string& theirs_name);

}  // namespace tpq
