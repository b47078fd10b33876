// The encoder-family seam: the family comes from config.json's model_type, names every part the
// way HF does, and an unknown model_type is one clear error listing what tpq supports.
#include <set>

#include <gtest/gtest.h>

#include "support/small_models.h"
#include "support/user_error_matchers.h"
#include "tpq/model/encoder_classifier.h"
#include "tpq/model/model_state.h"

namespace {

TEST(EncoderFamily, UnknownModelTypeListsTheSupportedOnes) {
  nlohmann::json config = {{"model_type", "gpt2"},        {"vocab_size", 100},          {"hidden_size", 32},
                           {"num_hidden_layers", 1},      {"num_attention_heads", 2},   {"intermediate_size", 64},
                           {"max_position_embeddings", 64}};
  TPQ_EXPECT_USER_ERROR(tpq::model::EncoderConfig::from_json(config, "x/config.json"), "x/config.json", "'gpt2'", "bert");
  config["model_type"] = "bert";
  EXPECT_EQ(tpq::model::EncoderConfig::from_json(config, "x/config.json").family().architecture, "BertForSequenceClassification");
  config.erase("model_type");  // configs written before model_type was read are BERT
  EXPECT_EQ(tpq::model::EncoderConfig::from_json(config, "x/config.json").model_type, "bert");
}

TEST(EncoderFamily, BertPartsCarryHuggingFaceNames) {
  const auto& bert = tpq::model::encoder_family("bert");
  EXPECT_EQ(bert.layer_prefix(3), "bert.encoder.layer.3.");
  EXPECT_EQ(bert.layer_of("bert.encoder.layer.11.output.dense"), 11);
  EXPECT_EQ(bert.layer_of("bert.pooler.dense"), -1);
  EXPECT_TRUE(bert.is_head_module("bert.pooler.dense"));
  EXPECT_TRUE(bert.is_head_module("classifier"));
  EXPECT_FALSE(bert.is_head_module("bert.encoder.layer.0.attention.self.query"));
  EXPECT_TRUE(bert.is_ignorable_tensor("cls.predictions.bias"));
  EXPECT_TRUE(bert.is_ignorable_tensor("bert.embeddings.position_ids"));

  tpq::model::EncoderClassifier model(tpq::testing::small_bert_config(100, 32, 2, 2, 64, 40));
  std::set<std::string> names;
  for (const auto& item : model->named_parameters()) names.insert(item.key());
  for (const char* expected : {"bert.embeddings.word_embeddings.weight", "bert.embeddings.token_type_embeddings.weight",
                               "bert.encoder.layer.1.attention.self.query.weight", "bert.encoder.layer.0.attention.output.LayerNorm.bias",
                               "bert.encoder.layer.1.intermediate.dense.weight", "bert.encoder.layer.1.output.dense.bias",
                               "bert.pooler.dense.weight", "classifier.weight"}) {
    EXPECT_EQ(names.count(expected), 1u) << expected;
  }
  EXPECT_EQ(names.size(), 5u + 2u * 16u + 4u);  // embeddings 5, 16 per layer, pooler + classifier 4
  // The typed parts are the registered modules, not copies.
  EXPECT_EQ(model->layers[1]->ffn_in->weight.data_ptr(),
            model->named_parameters()["bert.encoder.layer.1.intermediate.dense.weight"].data_ptr());
}

}  // namespace
