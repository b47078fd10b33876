#include "support/paired_records.h"

#include <cmath>

#include <gtest/gtest.h>

#include "support/csv_rows.h"
#include "support/toy_experiment.h"

namespace tpq::testing {

double accuracy_of(const nlohmann::json& row) { return row["metrics"]["accuracy"].get<double>(); }

int64_t correct_of(const nlohmann::json& row) {
  const auto& matrix = row["metrics"]["confusion_matrix"];
  int64_t correct = 0;
  for (std::size_t label = 0; label < matrix.size(); ++label) correct += matrix[label][label].get<int64_t>();
  return correct;
}

void expect_paired_record_matches_rows(const nlohmann::json& paired, const nlohmann::json& reference,
                                       const nlohmann::json& candidate) {
  const auto n = paired["count"].get<int64_t>();
  const auto both = paired["both_right"].get<int64_t>();
  const auto only_reference = paired["only_reference_right"].get<int64_t>();
  const auto only_candidate = paired["only_candidate_right"].get<int64_t>();
  ASSERT_EQ(n, kToyTestExamples);
  EXPECT_EQ(both + only_reference + only_candidate + paired["both_wrong"].get<int64_t>(), n);
  EXPECT_EQ(both + only_reference, correct_of(reference));
  EXPECT_EQ(both + only_candidate, correct_of(candidate));
  // Two classes: a changed prediction is right for exactly one of the two models.
  EXPECT_EQ(paired["changed_predictions"].get<int64_t>(), only_reference + only_candidate);
  const double mean = static_cast<double>(only_candidate - only_reference) / static_cast<double>(n);
  EXPECT_NEAR(paired["accuracy_difference"].get<double>(), accuracy_of(candidate) - accuracy_of(reference), 1e-12);
  EXPECT_NEAR(paired["accuracy_difference"].get<double>(), mean, 1e-12);
  const double variance = (static_cast<double>(only_reference + only_candidate) - n * mean * mean) / static_cast<double>(n - 1);
  EXPECT_NEAR(paired["standard_error"].get<double>(), std::sqrt(variance / static_cast<double>(n)), 1e-12);
}

void expect_details_csv_matches(const std::filesystem::path& csv, const nlohmann::json& rows) {
  const auto details = read_csv_rows(csv);
  ASSERT_EQ(details.size(), rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& row = details[i];
    EXPECT_EQ(row.at("variant"), rows[i]["variant"].get<std::string>());
    const auto paired = i == 0 ? nlohmann::json{{"accuracy_difference", 0.0}, {"standard_error", 0.0}, {"changed_predictions", 0}}
                               : rows[i]["extra"]["paired_vs_baseline"];
    const double rounding = 0.005 + 1e-9;  // two decimals
    EXPECT_NEAR(std::stod(row.at("accuracy_change_pt")), 100 * paired["accuracy_difference"].get<double>(), rounding) << i;
    EXPECT_NEAR(std::stod(row.at("paired_se_pt")), 100 * paired["standard_error"].get<double>(), rounding) << i;
    EXPECT_EQ(std::stoll(row.at("changed_predictions")), paired["changed_predictions"].get<int64_t>()) << i;
  }
}

}  // namespace tpq::testing
