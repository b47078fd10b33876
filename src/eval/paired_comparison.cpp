#include "tpq/eval/paired_comparison.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "tpq/core/error.h"

namespace tpq::eval {

PairedComparison compare_paired(const std::vector<int64_t>& reference_predictions,
                                const std::vector<int64_t>& candidate_predictions, const std::vector<int64_t>& truth) {
  require(!truth.empty(), "paired comparison: no examples");
  require(reference_predictions.size() == truth.size() && candidate_predictions.size() == truth.size(),
          "paired comparison: " + std::to_string(reference_predictions.size()) + " and " +
              std::to_string(candidate_predictions.size()) + " predictions for " + std::to_string(truth.size()) + " labels");
  PairedComparison result;
  result.count = static_cast<int64_t>(truth.size());
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const bool reference_right = reference_predictions[i] == truth[i];
    const bool candidate_right = candidate_predictions[i] == truth[i];
    result.both_right += reference_right && candidate_right;
    result.only_reference_right += reference_right && !candidate_right;
    result.only_candidate_right += !reference_right && candidate_right;
    result.both_wrong += !reference_right && !candidate_right;
    result.changed_predictions += reference_predictions[i] != candidate_predictions[i];
  }
  // Per-example difference d in {-1, 0, +1}: mean and the standard error of the mean.
  const double n = static_cast<double>(result.count);
  const double discordant = static_cast<double>(result.only_reference_right + result.only_candidate_right);
  const double mean = static_cast<double>(result.only_candidate_right - result.only_reference_right) / n;
  result.accuracy_difference = mean;
  if (result.count > 1) {
    const double variance = (discordant - n * mean * mean) / (n - 1);  // sample variance of d (d^2 = 1 when discordant)
    result.standard_error = std::sqrt(std::max(0.0, variance) / n);
  }
  return result;
}

nlohmann::json PairedComparison::to_json() const {
  return {{"count", count},
          {"both_right", both_right},
          {"only_reference_right", only_reference_right},
          {"only_candidate_right", only_candidate_right},
          {"both_wrong", both_wrong},
          {"changed_predictions", changed_predictions},
          {"accuracy_difference", accuracy_difference},
          {"standard_error", standard_error}};
}

}  // namespace tpq::eval
