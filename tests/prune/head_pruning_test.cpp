// Physically removed heads compute exactly what the same model computes with those heads masked,
// on random models with uneven heads per layer and on the HF fixture tiny-bert-a.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/fixtures.h"
#include "support/small_models.h"
#include "support/user_error_matchers.h"
#include "tpq/checkpoint/checkpoint.h"
#include "tpq/prune/head_pruning.h"

namespace {

using tpq::prune::HeadSelection;

tpq::model::EncoderConfig uneven_config() {
  auto config = tpq::testing::small_bert_config(100, 32, 3, 4, 64, 40);
  config.initializer_range = 0.3;        // large enough that every head visibly changes the output
  config.pruned_heads = {{1, {2}}};      // layer 1 starts with 3 of 4 heads
  return config;
}

tpq::model::ModelInputs padded_inputs(int64_t vocab) {
  torch::manual_seed(7);
  auto mask = torch::ones({3, 9}, torch::kLong);
  mask.index_put_({1, torch::indexing::Slice(6, torch::indexing::None)}, 0);  // padding in row 1
  return {torch::randint(1, vocab, {3, 9}, torch::kLong), torch::zeros({3, 9}, torch::kLong), mask};
}

// Masks (by storage position) that silence `heads` (original numbers) of each layer.
std::vector<torch::Tensor> masks_for(const tpq::model::EncoderConfig& config, const HeadSelection& heads) {
  std::vector<torch::Tensor> masks;
  for (int64_t layer = 0; layer < config.num_hidden_layers; ++layer) {
    const auto kept = tpq::prune::kept_heads(config, layer);
    auto mask = torch::ones({static_cast<int64_t>(kept.size())});
    if (auto found = heads.find(layer); found != heads.end()) {
      for (std::size_t p = 0; p < kept.size(); ++p) {
        if (std::find(found->second.begin(), found->second.end(), kept[p]) != found->second.end()) mask[p] = 0.0;
      }
    }
    masks.push_back(mask);
  }
  return masks;
}

void expect_pruning_equals_masking(tpq::model::EncoderClassifierImpl& model, const HeadSelection& heads) {
  torch::NoGradGuard no_grad;
  model.eval();
  const auto inputs = padded_inputs(model.config.vocab_size);
  const auto unpruned = model.forward(inputs);
  const auto masked = model.forward(inputs, masks_for(model.config, heads));
  ASSERT_GT((unpruned.last_hidden_state - masked.last_hidden_state).abs().max().item<double>(), 1e-3)
      << "masking these heads should change the output, or the comparison proves nothing";
  tpq::prune::prune_heads(model, heads);
  const auto pruned = model.forward(inputs);
  EXPECT_LE((pruned.logits - masked.logits).abs().max().item<double>(), 1e-5);
  EXPECT_LE((pruned.last_hidden_state - masked.last_hidden_state).abs().max().item<double>(), 1e-5);
}

TEST(HeadPruning, RemovedHeadsEqualMaskedHeadsOnUnevenRandomModel) {
  torch::manual_seed(0);
  tpq::model::EncoderClassifier model(uneven_config());
  const HeadSelection heads = {{0, {1, 3}}, {1, {0}}, {2, {2}}};
  expect_pruning_equals_masking(*model, heads);
  EXPECT_EQ(model->config.heads_in_layer(0), 2);
  EXPECT_EQ(model->config.heads_in_layer(1), 2);
  EXPECT_EQ(model->config.heads_in_layer(2), 3);
  EXPECT_EQ(model->config.pruned_heads.at(1), (std::vector<int64_t>{0, 2}));  // HF format: original indices, merged
  const auto& layer = model->layers[0];
  EXPECT_EQ(layer->query->weight.sizes(), (std::vector<int64_t>{16, 32}));
  EXPECT_EQ(layer->attention_output->weight.sizes(), (std::vector<int64_t>{32, 16}));
  EXPECT_EQ(layer->num_heads, 2);
}

TEST(HeadPruning, RemovedHeadsEqualMaskedHeadsOnTinyBertFixture) {
  TPQ_REQUIRE_FIXTURE(dir, "tiny-bert-a");
  tpq::checkpoint::LoadOptions options;
  options.load_tokenizer = false;
  auto checkpoint = tpq::checkpoint::load_checkpoint(dir, options);
  expect_pruning_equals_masking(*checkpoint.model, {{0, {0, 2}}, {1, {3}}});
}

TEST(HeadPruning, PruningTwiceUsesOriginalHeadNumbers) {
  torch::manual_seed(1);
  tpq::model::EncoderClassifier once(uneven_config());
  tpq::model::EncoderClassifier twice(uneven_config());
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < once->parameters().size(); ++i) twice->parameters()[i].copy_(once->parameters()[i]);
  tpq::prune::prune_heads(*once, {{0, {0, 3}}});
  tpq::prune::prune_heads(*twice, {{0, {3}}});
  tpq::prune::prune_heads(*twice, {{0, {0, 3}}});  // 3 is already gone: ignored, as HF does
  once->eval();
  twice->eval();
  const auto inputs = padded_inputs(100);
  EXPECT_TRUE(torch::allclose(once->forward(inputs).logits, twice->forward(inputs).logits, 0, 1e-6));
  EXPECT_EQ(twice->config.pruned_heads.at(0), (std::vector<int64_t>{0, 3}));
}

TEST(HeadPruning, GlobalRankingNeverTakesALayersLastHead) {
  auto config = tpq::testing::small_bert_config(100, 32, 2, 4, 64, 40);
  tpq::prune::HeadScores scores;
  scores.scores = {{0.1, 0.2, 0.3, 0.4}, {0.9, 0.8, 0.7, 0.6}};
  auto four = tpq::prune::select_heads_to_prune(config, scores, 4);
  EXPECT_EQ(four.at(0), (std::vector<int64_t>{0, 1, 2}));  // layer 0's best head (3) stays
  EXPECT_EQ(four.at(1), (std::vector<int64_t>{3}));        // the next lowest score overall
  EXPECT_EQ(tpq::prune::removable_heads(config), 6);
  const auto all = tpq::prune::select_heads_to_prune(config, scores, 6);
  EXPECT_EQ(all.at(0).size(), 3u);
  EXPECT_EQ(all.at(1).size(), 3u);
}

TEST(HeadPruning, BadCountsAndSelectionsAreUserErrors) {
  torch::manual_seed(0);
  tpq::model::EncoderClassifier model(uneven_config());
  tpq::prune::HeadScores scores;
  scores.scores = {{1, 2, 3, 4}, {1, 2, std::nan(""), 4}, {1, 2, 3, 4}};
  EXPECT_TRUE(tpq::testing::contains(
      tpq::testing::user_error_of([&] { tpq::prune::select_heads_to_prune(model->config, scores, 9); }), "at most 8"));
  tpq::testing::user_error_of([&] { tpq::prune::select_heads_to_prune(model->config, scores, -1); });
  EXPECT_TRUE(tpq::testing::contains(
      tpq::testing::user_error_of([&] { tpq::prune::prune_heads(*model, {{0, {0, 1, 2, 3}}}); }), "at least one head"));
  tpq::testing::user_error_of([&] { tpq::prune::prune_heads(*model, {{0, {4}}}); });
  tpq::testing::user_error_of([&] { tpq::prune::prune_heads(*model, {{3, {0}}}); });
  EXPECT_EQ(model->config.heads_in_layer(0), 4);  // nothing was half-done
}

}  // namespace
