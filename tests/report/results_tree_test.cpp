// Reading results trees: finished runs are read as recorded; unfinished or garbage ones are
// skipped with a warning naming the directory, never half-read.
#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "support/synthetic_results.h"
#include "tpq/report/results_tree.h"

namespace {

using tpq::testing::ScratchDir;
using tpq::testing::write_text_file;

bool warned_about(const tpq::report::ResultsTree& tree, const std::string& needle) {
  for (const auto& warning : tree.warnings) {
    if (warning.find(needle) != std::string::npos) return true;
  }
  return false;
}

TEST(ResultsTree, ReadsFinishedExperimentsAndTheirVariants) {
  ScratchDir scratch;
  tpq::testing::write_small_results_tree(scratch.path());
  const auto tree = tpq::report::load_results_tree(scratch.path());
  ASSERT_EQ(tree.experiments.size(), 3u);
  EXPECT_TRUE(tree.warnings.empty());
  ASSERT_NE(tree.find("baseline"), nullptr);
  EXPECT_EQ(tree.find("baseline")->variants().size(), 1u);  // a single record, no "variants"
  const auto* dynamic = tree.find("dynamic_quant");
  ASSERT_NE(dynamic, nullptr);
  ASSERT_EQ(dynamic->variants().size(), 3u);
  ASSERT_NE(dynamic->variant("int8_dynamic_per_tensor"), nullptr);
  EXPECT_DOUBLE_EQ(dynamic->variant("int8_dynamic_per_tensor")->metrics.accuracy, 0.785);
  EXPECT_EQ(dynamic->experiment_extra()["engine"], "onednn");
  EXPECT_EQ(tree.find("qat"), nullptr);
}

TEST(ResultsTree, SkipsPartialAndGarbageRunsWithAWarning) {
  ScratchDir scratch;
  tpq::testing::write_small_results_tree(scratch.path());
  std::filesystem::create_directories(scratch / "unfinished");  // a run still going: no metrics.json yet
  write_text_file(scratch / "garbage" / "metrics.json", "{\"experiment\": \"garbage\", \"metr");
  write_text_file(scratch / "no_accuracy" / "metrics.json",
                  R"({"experiment": "x", "variant": "fp32", "metrics": {"f1": 0.5}, "size": {"file_mb": 1}})");
  auto bad_variant = tpq::testing::synthetic_record("bad_variant", "fp32", 0.8, 1.0, 1.0);
  bad_variant["variants"] = {bad_variant, {{"experiment", "bad_variant"}, {"variant", "int8"}}};
  write_text_file(scratch / "bad_variant" / "metrics.json", bad_variant.dump());
  write_text_file(scratch / "comparison" / "metrics.json", "{}");  // the comparison's own output is not an experiment

  const auto tree = tpq::report::load_results_tree(scratch.path());
  EXPECT_EQ(tree.experiments.size(), 3u);
  EXPECT_EQ(tree.find("garbage"), nullptr);
  EXPECT_EQ(tree.find("no_accuracy"), nullptr);
  EXPECT_EQ(tree.find("bad_variant"), nullptr);
  EXPECT_EQ(tree.find("unfinished"), nullptr);
  EXPECT_EQ(tree.warnings.size(), 4u);
  EXPECT_TRUE(warned_about(tree, "unfinished"));
  EXPECT_TRUE(warned_about(tree, "garbage"));
  EXPECT_TRUE(warned_about(tree, "metrics.accuracy"));
  EXPECT_TRUE(warned_about(tree, "variants[1]: no metrics.accuracy"));
}

TEST(ResultsTree, MissingRootIsAnEmptyTreeWithAWarning) {
  ScratchDir scratch;
  const auto tree = tpq::report::load_results_tree(scratch / "nowhere");
  EXPECT_TRUE(tree.experiments.empty());
  ASSERT_EQ(tree.warnings.size(), 1u);
}

}  // namespace
