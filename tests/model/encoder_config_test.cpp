// config.json parsing: HF keys, defaults, pruning fields, and one-line errors for bad files.
#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "tpq/core/error.h"
#include "tpq/model/encoder_config.h"

namespace {

using nlohmann::json;

json minimal_config() {
  return {{"vocab_size", 100}, {"hidden_size", 32}, {"num_hidden_layers", 2}, {"num_attention_heads", 4},
          {"intermediate_size", 64}, {"max_position_embeddings", 40}};
}

std::string error_of(const json& config) {
  try {
    tpq::model::EncoderConfig::from_json(config, "dir/config.json");
  } catch (const tpq::UserError& error) {
    return error.what();
  }
  return "";
}

TEST(EncoderConfig, ReadsTheFixtureConfig) {
  TPQ_REQUIRE_FIXTURE(dir, "tiny-bert-a");
  const auto config = tpq::model::EncoderConfig::load(dir / "config.json");
  EXPECT_EQ(config.hidden_size, 64);
  EXPECT_EQ(config.num_attention_heads, 4);
  EXPECT_EQ(config.num_labels(), 2);
  EXPECT_EQ(config.head_dim(), 16);
  EXPECT_EQ(config.hidden_dropout_prob, 0.0);
  EXPECT_TRUE(config.extra.contains("tie_word_embeddings"));
}

TEST(EncoderConfig, MissingKeyNamesFileAndKey) {
  auto config = minimal_config();
  config.erase("hidden_size");
  const auto message = error_of(config);
  EXPECT_NE(message.find("dir/config.json"), std::string::npos) << message;
  EXPECT_NE(message.find("'hidden_size'"), std::string::npos) << message;
}

TEST(EncoderConfig, WrongTypesAndValuesAreRejected) {
  auto config = minimal_config();
  config["hidden_size"] = "32";
  EXPECT_NE(error_of(config).find("must be an integer"), std::string::npos);
  config = minimal_config();
  config["hidden_size"] = 30;  // not divisible by 4 heads
  EXPECT_NE(error_of(config).find("divisible"), std::string::npos);
  config = minimal_config();
  config["hidden_act"] = "swish";
  EXPECT_NE(error_of(config).find("hidden_act"), std::string::npos);
  config = minimal_config();
  config["pruned_heads"] = {{"5", {0}}};
  EXPECT_NE(error_of(config).find("layer 5"), std::string::npos);
  EXPECT_NE(error_of(json::array()).find("expected a JSON object"), std::string::npos);
}

TEST(EncoderConfig, LabelsComeFromId2Label) {
  auto config = minimal_config();
  config["id2label"] = {{"0", "World"}, {"1", "Sports"}, {"2", "Business"}};
  const auto parsed = tpq::model::EncoderConfig::from_json(config, "c");
  EXPECT_EQ(parsed.label_names, (std::vector<std::string>{"World", "Sports", "Business"}));
  config["id2label"] = {{"0", "a"}, {"3", "b"}};
  EXPECT_NE(error_of(config).find("id2label"), std::string::npos);
}

TEST(EncoderConfig, RoundTripKeepsPruningAndUnknownKeys) {
  auto config = minimal_config();
  config["pruned_heads"] = {{"1", {0, 2}}};
  config["tpq_intermediate_sizes"] = {64, 32};
  config["some_future_key"] = {{"x", 1}};
  const auto parsed = tpq::model::EncoderConfig::from_json(config, "c");
  EXPECT_EQ(parsed.heads_in_layer(0), 4);
  EXPECT_EQ(parsed.heads_in_layer(1), 2);
  EXPECT_EQ(parsed.intermediate_size_of_layer(1), 32);
  const auto again = tpq::model::EncoderConfig::from_json(parsed.to_json(), "c2");
  EXPECT_EQ(again.pruned_heads, parsed.pruned_heads);
  EXPECT_EQ(again.intermediate_sizes, parsed.intermediate_sizes);
  EXPECT_EQ(again.to_json()["some_future_key"]["x"], 1);
}

}  // namespace
