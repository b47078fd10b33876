// The course guide's config files (configs/*_config.yaml) load over tpq's profiles: the guide's keys
// become tpq's, keys tpq cannot honour are dropped with a warning, and unknown keys still fail.
#include <algorithm>
#include <filesystem>

#include <gtest/gtest.h>

#include "pipeline/dynamic_quantization.h"
#include "pipeline/structured_pruning.h"
#include "pipeline/unstructured_pruning.h"
#include "test_paths.h"
#include "tpq/core/config_tree.h"
#include "tpq/core/error.h"
#include "tpq/pipeline/experiment_config.h"
#include "tpq/pipeline/guide_config.h"

namespace {

namespace fs = std::filesystem;
using tpq::ConfigTree;
using tpq::pipeline::ExperimentConfig;

struct Loaded {
  ExperimentConfig config;
  std::vector<std::string> warnings;
};

// As the experiment programs layer them: profile, then the --config file with the guide's keys translated.
Loaded load_over(const std::string& profile, ConfigTree file) {
  ConfigTree tree = ConfigTree::from_yaml_file(tpq::pipeline::profile_path(profile));
  Loaded loaded;
  loaded.warnings = tpq::pipeline::translate_guide_keys(file);
  tree.merge(file);
  loaded.config = ExperimentConfig::from(tree);
  return loaded;
}

Loaded load_guide_file(const std::string& name, const std::string& profile = "pretrained") {
  return load_over(profile, ConfigTree::from_yaml_file(fs::path(TPQ_TEST_SOURCE_DIR) / "configs" / name));
}

bool mentions(const std::vector<std::string>& warnings, const std::string& text) {
  return std::any_of(warnings.begin(), warnings.end(), [&](const auto& w) { return w.find(text) != std::string::npos; });
}

TEST(GuideConfig, EveryGuideFileLoadsAndEveryExperimentReadsIt) {
  for (const char* name : {"base_config.yaml", "model_config.yaml", "training_config.yaml", "pruning_config.yaml",
                           "quantization_config.yaml", "experiment_config.yaml"}) {
    for (const char* profile : {"pretrained", "quick"}) {
      Loaded loaded;
      ASSERT_NO_THROW(loaded = load_guide_file(name, profile)) << name << " over " << profile;
      EXPECT_NO_THROW(tpq::pipeline::structured_pruning_options(loaded.config)) << name;
      EXPECT_NO_THROW(tpq::pipeline::unstructured_pruning_options(loaded.config)) << name;
      EXPECT_NO_THROW(tpq::pipeline::dynamic_quantization_options(loaded.config)) << name;
    }
  }
}

TEST(GuideConfig, TheGuidesKeysBecomeTpqs) {
  const auto base = load_guide_file("base_config.yaml");
  EXPECT_EQ(base.config.model.pretrained, "bert-base-uncased");
  EXPECT_EQ(base.config.data.num_labels, 2);
  EXPECT_DOUBLE_EQ(base.config.training.learning_rate, 2e-5);
  EXPECT_TRUE(base.warnings.empty());

  const auto pruning = load_guide_file("pruning_config.yaml");
  const auto structured = tpq::pipeline::structured_pruning_options(pruning.config);
  EXPECT_EQ(structured.heads, (std::vector<int64_t>{4}));
  EXPECT_EQ(structured.ffn_sparsities, (std::vector<double>{0.5}));  // method structured: sparsity is 06's FFN cut
  const auto unstructured = tpq::pipeline::unstructured_pruning_options(pruning.config);
  EXPECT_EQ(unstructured.sparsities, (std::vector<double>{0.1, 0.3, 0.5, 0.7, 0.9}));
  EXPECT_EQ(pruning.config.tree.json()["pruning"]["importance"], "l1");  // magnitude = |w|
  EXPECT_TRUE(mentions(pruning.warnings, "pruning.method")) << ::testing::PrintToString(pruning.warnings);
  EXPECT_EQ(pruning.warnings.size(), 1u) << ::testing::PrintToString(pruning.warnings);

  const auto experiments = load_guide_file("experiment_config.yaml");
  EXPECT_EQ(experiments.config.model.pretrained, "bert-base-uncased");
  EXPECT_EQ(experiments.config.data.name, "imdb");
  for (const char* key : {"experiments.baseline.enabled", "experiments.dynamic_quantization.enabled", "evaluation.metrics"}) {
    EXPECT_TRUE(mentions(experiments.warnings, key)) << key << ": " << ::testing::PrintToString(experiments.warnings);
  }
  EXPECT_FALSE(experiments.config.tree.json().contains("experiments"));
}

TEST(GuideConfig, TpqsOwnKeyWinsOverTheGuidesAndSaysSo) {
  const auto loaded = load_over("quick", ConfigTree::from_yaml_string(
                                             "model:\n  name: bert-base-uncased\n  pretrained: scratch\n", "mine.yaml"));
  EXPECT_TRUE(loaded.config.model.from_scratch());
  EXPECT_TRUE(mentions(loaded.warnings, "mine.yaml:2: model.name ignored: model.pretrained is also set"))
      << ::testing::PrintToString(loaded.warnings);
}

TEST(GuideConfig, WhatTpqCannotDoIsAnErrorAndUnknownKeysStillFail) {
  EXPECT_THROW(load_over("quick", ConfigTree::from_yaml_string("dynamic_quantization:\n  dtype: float16\n", "q.yaml")),
               tpq::UserError);
  try {
    load_over("quick", ConfigTree::from_yaml_string("experiments:\n  dynamic_quantization:\n    dtype: qint4\n", "q.yaml"));
    FAIL() << "qint4 accepted";
  } catch (const tpq::UserError& error) {
    EXPECT_NE(std::string(error.what()).find("INT8 (qint8) only"), std::string::npos) << error.what();
  }
  EXPECT_THROW(load_over("quick", ConfigTree::from_yaml_string("model:\n  nmae: bert-base-uncased\n", "typo.yaml")),
               tpq::UserError);
}

}  // namespace
