// Head importance: gradient scores (Michel et al.) are finite, non-negative and per-layer
// L2-normalised; weight-norm scores follow the weights.
#include <cmath>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/small_models.h"
#include "support/user_error_matchers.h"
#include "tpq/prune/head_importance.h"
#include "tpq/prune/head_pruning.h"

namespace {

tpq::data::TokenizedSplit random_split(int64_t examples) {
  torch::manual_seed(5);
  tpq::data::TokenizedSplit split;
  for (int64_t i = 0; i < examples; ++i) {
    const int64_t length = 4 + i % 7;
    auto ids = torch::randint(1, 100, {length}, torch::kLong);
    std::vector<int64_t> id_list(ids.data_ptr<int64_t>(), ids.data_ptr<int64_t>() + length);
    split.append(id_list, std::vector<int64_t>(length, 0), i % 2);
  }
  split.max_length = 16;
  return split;
}

double layer_norm_of(const std::vector<double>& scores) {
  double squares = 0;
  for (double s : scores) {
    if (!std::isnan(s)) squares += s * s;
  }
  return std::sqrt(squares);
}

TEST(HeadImportance, GradientScoresAreFiniteNonNegativeAndNormalisedPerLayer) {
  torch::manual_seed(0);
  auto config = tpq::testing::small_bert_config(100, 32, 2, 4, 64, 40);
  config.initializer_range = 0.2;
  config.pruned_heads = {{1, {1}}};
  tpq::model::EncoderClassifier model(config);
  model->train();
  tpq::prune::GradientImportanceOptions options;
  options.max_samples = 20;
  options.batch_size = 8;
  const auto scores = tpq::prune::gradient_head_importance(*model, random_split(30), options, torch::kCPU);
  ASSERT_EQ(scores.scores.size(), 2u);
  EXPECT_TRUE(std::isnan(scores.scores[1][1]));  // pruned head: no score
  for (const auto& layer : scores.scores) {
    for (double s : layer) {
      if (std::isnan(s)) continue;
      EXPECT_TRUE(std::isfinite(s));
      EXPECT_GE(s, 0.0);
    }
    EXPECT_NEAR(layer_norm_of(layer), 1.0, 1e-9);
  }
  EXPECT_TRUE(model->is_training());  // the caller's mode is restored
  for (const auto& parameter : model->parameters()) EXPECT_FALSE(parameter.grad().defined());

  options.normalize_per_layer = false;
  const auto raw = tpq::prune::gradient_head_importance(*model, random_split(30), options, torch::kCPU);
  EXPECT_GT(layer_norm_of(raw.scores[0]), 0.0);
  EXPECT_GT(std::abs(layer_norm_of(raw.scores[0]) - 1.0), 1e-6);
}

TEST(HeadImportance, WeightNormRanksAShrunkenHeadLowest) {
  torch::manual_seed(0);
  tpq::model::EncoderClassifier model(tpq::testing::small_bert_config(100, 32, 1, 4, 64, 40));
  {
    torch::NoGradGuard no_grad;
    auto& layer = model->layers[0];
    for (auto* linear : {layer->query.get(), layer->key.get(), layer->value.get()}) linear->weight.narrow(0, 16, 8).mul_(0.01);
    model->layers[0]->attention_output->weight.narrow(1, 16, 8).mul_(0.01);
  }
  const auto scores = tpq::prune::weight_norm_head_importance(*model);
  const auto& layer = scores.scores[0];
  EXPECT_EQ(std::min_element(layer.begin(), layer.end()) - layer.begin(), 2);
  EXPECT_NEAR(layer_norm_of(layer), 1.0, 1e-9);
  EXPECT_EQ(tpq::prune::select_heads_to_prune(model->config, scores, 1).at(0), (std::vector<int64_t>{2}));
}

TEST(HeadImportance, UnknownMethodIsAUserError) {
  EXPECT_TRUE(tpq::testing::contains(
      tpq::testing::user_error_of([] { tpq::prune::parse_head_importance("taylor", "--importance"); }), "--importance"));
  EXPECT_EQ(tpq::prune::parse_head_importance("weight_norm", "x"), tpq::prune::HeadImportance::WeightNorm);
}

}  // namespace
