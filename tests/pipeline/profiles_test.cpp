// Every shipped profile parses into an ExperimentConfig (no unknown key, values in range), so a typo
// in configs/profiles/*.yaml fails here and not in a user's first run. The pretrained profiles
// name Hub checkpoints: parsing must not touch the network (resolution happens when a run starts).
#include <algorithm>
#include <filesystem>

#include <gtest/gtest.h>

#include "test_paths.h"
#include "tpq/core/config_tree.h"
#include "tpq/pipeline/experiment_config.h"

namespace {

namespace fs = std::filesystem;

TEST(Profiles, EveryProfileParsesWithTheCompressionSections) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(fs::path(TPQ_TEST_SOURCE_DIR) / "configs" / "profiles")) {
    names.push_back(entry.path().stem().string());
    const auto tree = tpq::ConfigTree::from_yaml_file(entry.path());
    EXPECT_NO_THROW(tpq::pipeline::ExperimentConfig::from(tree)) << entry.path();
  }
  for (const char* expected : {"quick", "default", "full", "pretrained", "pretrained-cpu"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
    EXPECT_TRUE(fs::is_regular_file(tpq::pipeline::profile_path(expected))) << expected;
  }
}

TEST(Profiles, ThePretrainedProfilesFineTuneHubCheckpointsWithoutMaskedLm) {
  for (const auto& [profile, checkpoint] : {std::pair{"pretrained", "bert-base-uncased"},
                                            {"pretrained-cpu", "google/bert_uncased_L-4_H-256_A-4"}}) {
    const auto config = tpq::pipeline::ExperimentConfig::from(tpq::ConfigTree::from_yaml_file(tpq::pipeline::profile_path(profile)));
    EXPECT_EQ(config.model.pretrained, checkpoint) << profile;
    EXPECT_FALSE(config.model.from_scratch()) << profile;
    EXPECT_EQ(config.training.mlm_epochs, 0) << profile;
    EXPECT_EQ(config.model.max_length, 256) << profile;
  }
  const auto guide = tpq::pipeline::ExperimentConfig::from(tpq::ConfigTree::from_yaml_file(tpq::pipeline::profile_path("pretrained")));
  EXPECT_DOUBLE_EQ(guide.training.learning_rate, 2e-5);
  EXPECT_EQ(guide.training.epochs, 3);
  EXPECT_EQ(guide.training.batch_size, 32);
  EXPECT_DOUBLE_EQ(guide.training.warmup_ratio, 0.1);
}

}  // namespace
