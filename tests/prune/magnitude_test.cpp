// Magnitude pruning: exact target sparsity, global vs local thresholds, Taylor scores, which
// weights are prunable, masks that survive fine-tuning, and sparsity validation.
#include <algorithm>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/small_models.h"
#include "tpq/data/batching.h"
#include "support/user_error_matchers.h"
#include "pipeline/magnitude_pruning.h"
#include "pipeline/unstructured_pruning.h"
#include "tpq/prune/magnitude.h"

namespace {

using tpq::prune::Scope;

tpq::model::EncoderClassifier small_model(uint64_t seed) {
  torch::manual_seed(seed);
  auto config = tpq::testing::small_bert_config(40, 32, 2, 2, 64, 16);
  config.hidden_dropout_prob = 0.0;
  config.attention_probs_dropout_prob = 0.0;
  tpq::model::EncoderClassifier model(config);
  model->init_weights();
  model->eval();
  // Layers of very different scale: a single global threshold then prunes them unequally.
  torch::NoGradGuard no_grad;
  model->layers[0]->query->weight.mul_(5.0);
  return model;
}

// Label 1 iff token 7 appears; other tokens are noise in [10, 40).
tpq::data::TokenizedSplit toy_split(int64_t count, uint64_t seed) {
  torch::manual_seed(seed);
  tpq::data::TokenizedSplit split;
  split.max_length = 12;
  for (int64_t i = 0; i < count; ++i) {
    const int64_t label = i % 2;
    const int64_t length = 4 + (i % 7);
    std::vector<int64_t> ids = {2};
    for (int64_t t = 0; t < length; ++t) ids.push_back(torch::randint(10, 40, {1}).item<int64_t>());
    if (label == 1) ids[1 + (i % length)] = 7;
    ids.push_back(3);
    split.append(ids, std::vector<int64_t>(ids.size(), 0), label);
  }
  return split;
}

TEST(MagnitudePruning, PrunableWeightsAreTheEncoderLinearsOnly) {
  auto model = small_model(1);
  const auto weights = tpq::prune::prunable_weights(*model);
  ASSERT_EQ(weights.size(), 12u);  // 2 layers x (Q, K, V, attention output, FFN in, FFN out)
  for (const auto& [name, weight] : weights) {
    EXPECT_EQ(name.rfind("bert.encoder.layer.", 0), 0u) << name;
    EXPECT_EQ(name.substr(name.size() - 7), ".weight") << name;
  }
  const auto classifier = model->classifier->weight.clone();
  const auto embeddings = model->embeddings->word_embeddings->weight.clone();
  const auto bias = model->layers[0]->ffn_in->bias.clone();
  tpq::prune::apply_masks(*model, tpq::prune::compute_masks(tpq::prune::magnitude_scores(*model, tpq::prune::Importance::L1),
                                                            0.9, Scope::Global));
  EXPECT_TRUE(torch::equal(model->classifier->weight, classifier));
  EXPECT_TRUE(torch::equal(model->embeddings->word_embeddings->weight, embeddings));
  EXPECT_TRUE(torch::equal(model->layers[0]->ffn_in->bias, bias));
}

TEST(MagnitudePruning, ActualSparsityEqualsTheTargetForBothScopes) {
  for (const auto scope : {Scope::Global, Scope::Local}) {
    for (const double target : {0.1, 0.5, 0.9}) {
      auto model = small_model(2);
      EXPECT_LT(tpq::prune::measure_sparsity(*model).overall(), 0.001);
      const auto scores = tpq::prune::magnitude_scores(*model, tpq::prune::Importance::L2);
      tpq::prune::apply_masks(*model, tpq::prune::compute_masks(scores, target, scope));
      EXPECT_NEAR(tpq::prune::measure_sparsity(*model).overall(), target, 0.005)
          << tpq::prune::to_string(scope) << " " << target;
    }
  }
}

TEST(MagnitudePruning, LocalPrunesEveryLayerToTheTargetGlobalUsesOneThreshold) {
  auto local = small_model(3);
  tpq::prune::apply_masks(*local, tpq::prune::compute_masks(tpq::prune::magnitude_scores(*local, tpq::prune::Importance::L1),
                                                            0.5, Scope::Local));
  for (const auto& [name, fraction] : tpq::prune::measure_sparsity(*local).per_layer) EXPECT_NEAR(fraction, 0.5, 0.005) << name;

  auto global = small_model(3);
  const auto original = tpq::prune::magnitude_scores(*global, tpq::prune::Importance::L1);
  const auto masks = tpq::prune::compute_masks(original, 0.5, Scope::Global);
  tpq::prune::apply_masks(*global, masks);
  const auto report = tpq::prune::measure_sparsity(*global);
  // The up-scaled query layer keeps most of its weights, the others lose more than half.
  EXPECT_LT(report.per_layer.at("bert.encoder.layer.0.attention.self.query.weight"), 0.2);
  EXPECT_GT(report.per_layer.at("bert.encoder.layer.1.attention.self.query.weight"), 0.5);
  // One threshold: every dropped |w| <= every kept |w|, across layers.
  float max_dropped = 0, min_kept = 1e9;
  for (const auto& [name, score] : original) {
    const auto& keep = masks.at(name);
    if (keep.logical_not().any().item<bool>()) max_dropped = std::max(max_dropped, score.masked_select(keep.logical_not()).max().item<float>());
    if (keep.any().item<bool>()) min_kept = std::min(min_kept, score.masked_select(keep).min().item<float>());
  }
  EXPECT_LE(max_dropped, min_kept);
}

TEST(MagnitudePruning, TaylorScoreIsWeightTimesGradient) {
  auto model = small_model(4);
  const auto split = toy_split(8, 5);
  tpq::prune::TaylorOptions options;
  options.samples = 8;
  options.batch_size = 8;  // one batch: the score is exactly |w * dL/dw| of that batch
  const auto scores = tpq::prune::taylor_scores(*model, split, options, torch::kCPU);

  auto batches = tpq::data::make_batches(split, 8, /*shuffle=*/false, 0, false);
  tpq::data::Batch batch;
  ASSERT_TRUE(batches.next(batch));
  auto logits = model->forward({batch.input_ids, batch.token_type_ids, batch.attention_mask}).logits;
  torch::nn::functional::cross_entropy(logits, batch.labels).backward();
  const auto& weight = model->layers[1]->ffn_out->weight;
  const auto expected = (weight * weight.grad()).abs();
  EXPECT_TRUE(torch::allclose(scores.at("bert.encoder.layer.1.output.dense.weight"), expected, 1e-4, 1e-9));
  EXPECT_GT(expected.sum().item<double>(), 0.0);
}

TEST(MagnitudePruning, MasksSurviveFineTuning) {
  tpq::pipeline::BaselineContext context;
  context.config.training.epochs = 1;
  context.config.training.batch_size = 8;
  context.config.training.learning_rate = 5e-3;
  context.data.train = toy_split(64, 6);
  context.data.validation = toy_split(16, 7);
  context.num_labels = 2;

  auto model = small_model(8);
  const auto masks = tpq::prune::compute_masks(tpq::prune::magnitude_scores(*model, tpq::prune::Importance::L1), 0.5,
                                               Scope::Global);
  tpq::prune::apply_masks(*model, masks);
  const auto before = model->layers[0]->ffn_in->weight.clone();
  tpq::pipeline::FineTuneBudget budget;
  budget.steps = 3;
  const auto result = tpq::pipeline::fine_tune_masked(*model, masks, context, budget, 0, 1, torch::kCPU);
  EXPECT_EQ(result.optimizer_steps, 3);
  const auto& after = model->layers[0]->ffn_in->weight;
  EXPECT_FALSE(torch::equal(before, after));  // the kept weights did train
  for (const auto& [name, weight] : tpq::prune::prunable_weights(*model)) {
    EXPECT_EQ(weight.masked_select(masks.at(name).logical_not()).abs().max().item<float>(), 0.0f) << name;
  }
  // Control: the same steps without the hook move pruned weights (AdamW momentum, weight decay).
  auto unmasked = small_model(8);
  tpq::prune::apply_masks(*unmasked, masks);
  auto config = context.config.training;
  config.epochs = 1;
  tpq::train::Trainer trainer(*unmasked, config, torch::kCPU, 1);
  trainer.fit(context.data.train, context.data.validation, 2);
  EXPECT_LT(tpq::prune::measure_sparsity(*unmasked).overall(), 0.1);
}

TEST(MagnitudePruning, SparsityOutsideZeroToOneIsAUserError) {
  auto model = small_model(9);
  const auto scores = tpq::prune::magnitude_scores(*model, tpq::prune::Importance::L1);
  EXPECT_TRUE(tpq::testing::contains(tpq::testing::user_error_of([&] { tpq::prune::compute_masks(scores, 1.0, Scope::Local); }),
                                     "[0, 1)"));
  EXPECT_TRUE(tpq::testing::contains(tpq::testing::user_error_of([&] { tpq::prune::compute_masks(scores, -0.1, Scope::Global); }),
                                     "[0, 1)"));
  const auto tree = tpq::ConfigTree::from_yaml_string("pruning:\n  sparsities: [0.5, 1.0]\n", "test.yaml");
  const auto config = tpq::pipeline::ExperimentConfig::from(tree, {"pruning"});
  EXPECT_TRUE(tpq::testing::contains(
      tpq::testing::user_error_of([&] { tpq::pipeline::unstructured_pruning_options(config); }), "--sparsities"));
  const auto scope_tree = tpq::ConfigTree::from_yaml_string("pruning:\n  scope: everywhere\n", "test.yaml");
  EXPECT_TRUE(tpq::testing::contains(tpq::testing::user_error_of([&] {
                                       tpq::pipeline::unstructured_pruning_options(
                                           tpq::pipeline::ExperimentConfig::from(scope_tree, {"pruning"}));
                                     }),
                                     "--scope"));
}

}  // namespace
