// Two classifiers scored on the same test examples: how many predictions changed and whether the
// accuracy difference is larger than its noise. On a 2 000-review test set one standard error of
// an accuracy is about 0.9 points, yet INT8 changes only a handful of predictions; the paired
// standard error (from the examples where exactly one model is right) is the right yardstick
// for "variant vs baseline" differences.
#pragma once

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

namespace tpq::eval {

struct PairedComparison {
  int64_t count = 0;
  int64_t both_right = 0;
  int64_t only_reference_right = 0;  // the candidate broke these
  int64_t only_candidate_right = 0;  // the candidate fixed these
  int64_t both_wrong = 0;
  int64_t changed_predictions = 0;   // candidate's prediction != reference's (right or wrong)
  double accuracy_difference = 0;    // candidate - reference, as a fraction
  double standard_error = 0;         // of accuracy_difference, paired (per-example differences)

  nlohmann::json to_json() const;
};

// UserError when the three vectors differ in length or are empty.
PairedComparison compare_paired(const std::vector<int64_t>& reference_predictions,
                                const std::vector<int64_t>& candidate_predictions, const std::vector<int64_t>& truth);

}  // namespace tpq::eval
