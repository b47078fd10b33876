// Experiment 09's verdict between its two orders: higher final accuracy wins; within 0.1 point the
// higher total compression wins; closer than that on both counts it is a tie.
#include <gtest/gtest.h>

#include "pipeline/combined.h"

namespace {

using nlohmann::json;

json orders(double prune_first_accuracy, double prune_first_compression, double quantize_first_accuracy,
            double quantize_first_compression) {
  json out;
  out["prune_then_quantize"] = {{"final_accuracy", prune_first_accuracy}, {"total_compression", prune_first_compression}};
  out["quantize_then_prune"] = {{"final_accuracy", quantize_first_accuracy}, {"total_compression", quantize_first_compression}};
  tpq::pipeline::decide_winner(out);
  return out;
}

TEST(CombinedWinner, HigherFinalAccuracyWinsWhateverTheCompression) {
  const auto first = orders(0.80, 3.0, 0.78, 3.5);
  EXPECT_EQ(first["winner_key"], "prune_then_quantize");
  EXPECT_EQ(first["winner"], "先剪枝后量化");
  EXPECT_EQ(first["winner_rule"], "最终测试准确率更高者胜");
  EXPECT_DOUBLE_EQ(first["winner_margin"].get<double>(), 2.0);  // accuracy points
  EXPECT_NEAR(first["compression_gap"].get<double>(), -0.5, 1e-12);

  const auto second = orders(0.7625, 3.5, 0.8, 3.0);
  EXPECT_EQ(second["winner_key"], "quantize_then_prune");
  EXPECT_EQ(second["winner"], "先量化后剪枝");
  EXPECT_DOUBLE_EQ(second["winner_margin"].get<double>(), 3.75);

  // Half a point is already decided by accuracy (the compression tie-break starts below 0.1).
  EXPECT_EQ(orders(0.805, 3.0, 0.8, 4.0)["winner_key"], "prune_then_quantize");
}

TEST(CombinedWinner, WithinATenthOfAPointTheHigherCompressionWins) {
  const auto result = orders(0.8005, 3.0, 0.8, 3.2);  // 0.05 point apart
  EXPECT_EQ(result["winner_key"], "quantize_then_prune");
  EXPECT_EQ(result["winner_rule"], "准确率相差 < 0.1 个百分点，总压缩比更高者胜");
  EXPECT_DOUBLE_EQ(result["winner_margin"].get<double>(), 0.05);
  EXPECT_EQ(orders(0.8, 3.2, 0.8005, 3.0)["winner_key"], "prune_then_quantize");
}

TEST(CombinedWinner, CloseOnBothAccuracyAndCompressionIsATie) {
  const auto result = orders(0.8, 3.0, 0.8005, 3.005);
  EXPECT_EQ(result["winner_key"], "tie");
  EXPECT_EQ(result["winner"], "平局");
  EXPECT_EQ(result["winner_rule"], "准确率相差 < 0.1 个百分点且压缩比相差 < 0.01x");
}

}  // namespace
