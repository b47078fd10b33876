// FFN neuron removal equals zeroing those neurons; pruned checkpoints reload to identical logits.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/fixtures.h"
#include "support/small_models.h"
#include "support/user_error_matchers.h"
#include "tpq/checkpoint/checkpoint.h"
#include "tpq/prune/ffn_pruning.h"
#include "tpq/prune/head_pruning.h"

namespace {

tpq::model::EncoderConfig config_for_ffn() {
  auto config = tpq::testing::small_bert_config(100, 32, 2, 4, 64, 40);
  config.initializer_range = 0.3;
  return config;
}

tpq::model::ModelInputs random_inputs() {
  torch::manual_seed(3);
  return {torch::randint(1, 100, {2, 11}, torch::kLong), torch::zeros({2, 11}, torch::kLong), torch::ones({2, 11}, torch::kLong)};
}

TEST(FfnPruning, RemovingNeuronsEqualsZeroingTheirRowsAndColumns) {
  torch::manual_seed(0);
  tpq::model::EncoderClassifier model(config_for_ffn());
  model->eval();
  torch::NoGradGuard no_grad;
  const auto remove = tpq::prune::select_ffn_neurons(tpq::prune::ffn_neuron_importance(*model), 0.5);
  ASSERT_EQ(remove.size(), 2u);
  EXPECT_EQ(remove[0].size(), 32u);
  const auto inputs = random_inputs();
  const auto before = model->forward(inputs).last_hidden_state;

  tpq::model::EncoderClassifier zeroed(config_for_ffn());
  for (std::size_t i = 0; i < model->parameters().size(); ++i) zeroed->parameters()[i].copy_(model->parameters()[i]);
  zeroed->eval();
  for (int64_t layer = 0; layer < 2; ++layer) {
    auto& layer_module = zeroed->layers[layer];
    for (int64_t j : remove[layer]) {
      layer_module->ffn_in->weight[j].zero_();
      layer_module->ffn_in->bias[j].zero_();
      layer_module->ffn_out->weight.select(1, j).zero_();
    }
  }
  tpq::prune::prune_ffn_neurons(*model, remove);
  const auto pruned = model->forward(inputs);
  const auto reference = zeroed->forward(inputs);
  EXPECT_GT((before - reference.last_hidden_state).abs().max().item<double>(), 1e-3);
  EXPECT_LE((pruned.last_hidden_state - reference.last_hidden_state).abs().max().item<double>(), 1e-5);
  EXPECT_LE((pruned.logits - reference.logits).abs().max().item<double>(), 1e-5);
  EXPECT_EQ(model->config.intermediate_sizes, (std::vector<int64_t>{32, 32}));
  EXPECT_EQ(model->layers[1]->ffn_out->weight.sizes(), (std::vector<int64_t>{32, 32}));
}

TEST(FfnPruning, LeastImportantNeuronsAreChosen) {
  std::vector<torch::Tensor> importance = {torch::tensor({0.5, 0.1, 0.9, 0.2}), torch::tensor({3.0, 2.0, 1.0, 4.0})};
  const auto remove = tpq::prune::select_ffn_neurons(importance, 0.5);
  EXPECT_EQ(remove[0], (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(remove[1], (std::vector<int64_t>{1, 2}));
  EXPECT_TRUE(tpq::prune::select_ffn_neurons(importance, 0.0)[0].empty());
}

TEST(FfnPruning, SparsityOutsideZeroToOneIsAUserError) {
  std::vector<torch::Tensor> importance = {torch::ones({8})};
  EXPECT_TRUE(tpq::testing::contains(tpq::testing::user_error_of([&] { tpq::prune::select_ffn_neurons(importance, 1.0); }),
                                     "[0, 1)"));
  tpq::testing::user_error_of([&] { tpq::prune::select_ffn_neurons(importance, -0.1); });
}

TEST(StructuredPruningCheckpoint, SavedPrunedModelReloadsWithIdenticalLogits) {
  torch::manual_seed(0);
  tpq::model::EncoderClassifier model(config_for_ffn());
  model->eval();
  tpq::prune::prune_heads(*model, {{0, {1}}, {1, {0, 2, 3}}});
  tpq::prune::prune_ffn_neurons(*model, tpq::prune::select_ffn_neurons(tpq::prune::ffn_neuron_importance(*model), 0.3));
  tpq::testing::ScratchDir scratch;
  tpq::checkpoint::save_checkpoint(scratch / "pruned", *model, nullptr);
  tpq::checkpoint::LoadOptions options;
  options.load_tokenizer = false;
  auto loaded = tpq::checkpoint::load_checkpoint(scratch / "pruned", options);
  loaded.model->eval();
  EXPECT_EQ(loaded.config.pruned_heads, model->config.pruned_heads);
  EXPECT_EQ(loaded.config.intermediate_sizes, (std::vector<int64_t>{45, 45}));
  const auto inputs = random_inputs();
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::equal(loaded.model->forward(inputs).logits, model->forward(inputs).logits));
  const auto config_json = tpq::testing::read_json_file(scratch / "pruned" / "config.json");
  EXPECT_EQ(config_json["pruned_heads"]["1"], nlohmann::json({0, 2, 3}));
}

}  // namespace
