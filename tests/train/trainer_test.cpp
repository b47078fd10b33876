// The training loop on a toy separable task: it learns, it is reproducible, its hooks fire.
#include <gtest/gtest.h>
#include "support/small_models.h"
#include <torch/torch.h>

#include "support/fixtures.h"
#include "tpq/core/error.h"
#include "tpq/data/tokenized_split.h"
#include "tpq/train/trainer.h"

namespace {

// Label 1 iff token 7 appears; other tokens are noise in [10, 40).
tpq::data::TokenizedSplit toy_split(int64_t count, uint64_t seed) {
  torch::manual_seed(seed);
  tpq::data::TokenizedSplit split;
  split.pad_id = 0;
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

tpq::model::EncoderConfig toy_config() {
  auto config = tpq::testing::small_bert_config(40, 16, 1, 2, 32, 16);
  config.hidden_dropout_prob = 0.0;
  config.attention_probs_dropout_prob = 0.0;
  return config;
}

tpq::train::TrainConfig toy_training() {
  tpq::train::TrainConfig config;
  config.epochs = 6;
  config.batch_size = 16;
  config.learning_rate = 5e-3;
  config.warmup_ratio = 0.1;
  config.log_every_steps = 5;
  return config;
}

tpq::train::TrainResult train_once(uint64_t seed) {
  torch::manual_seed(seed);
  tpq::model::EncoderClassifier model(toy_config());
  tpq::train::Trainer trainer(*model, toy_training(), torch::kCPU, seed);
  return trainer.fit(toy_split(256, 1), toy_split(64, 2), 2);
}

TEST(Trainer, LearnsASeparableToyTask) {
  const auto result = train_once(11);
  ASSERT_EQ(result.epochs.size(), 6u);
  EXPECT_LT(result.epochs.back().train_loss, 0.5 * result.epochs.front().train_loss);
  EXPECT_GT(result.best_validation_accuracy, 0.9);
  EXPECT_GT(result.optimizer_steps, 0);
}

TEST(Trainer, SameSeedGivesSameNumbersOnCpu) {
  const auto first = train_once(5);
  const auto second = train_once(5);
  ASSERT_EQ(first.epochs.size(), second.epochs.size());
  for (std::size_t i = 0; i < first.epochs.size(); ++i) {
    EXPECT_EQ(first.epochs[i].train_loss, second.epochs[i].train_loss);
    EXPECT_EQ(first.epochs[i].validation.accuracy, second.epochs[i].validation.accuracy);
  }
}

TEST(Trainer, LearningRateWarmsUpThenDecays) {
  auto config = toy_training();
  config.epochs = 2;
  config.log_every_steps = 1;
  config.warmup_ratio = 0.25;
  torch::manual_seed(0);
  tpq::model::EncoderClassifier model(toy_config());
  tpq::train::Trainer trainer(*model, config, torch::kCPU, 0);
  const auto result = trainer.fit(toy_split(128, 1), toy_split(32, 2), 2);
  std::vector<double> rates;
  for (const auto& step : result.steps) rates.push_back(step.learning_rate);
  const auto peak = std::max_element(rates.begin(), rates.end()) - rates.begin();
  EXPECT_DOUBLE_EQ(rates[peak], config.learning_rate);
  EXPECT_GT(peak, 0);
  for (long i = 1; i <= peak; ++i) EXPECT_GT(rates[i], rates[i - 1]);
  for (std::size_t i = peak + 1; i < rates.size(); ++i) EXPECT_LT(rates[i], rates[i - 1]);
}

TEST(Trainer, HooksFireAndEarlyStoppingStops) {
  auto config = toy_training();
  config.epochs = 20;
  config.early_stopping_patience = 1;
  config.learning_rate = 1e-9;  // nothing improves after epoch 1
  torch::manual_seed(0);
  tpq::model::EncoderClassifier model(toy_config());
  int best_calls = 0, step_calls = 0;
  tpq::train::TrainHooks hooks;
  hooks.on_best = [&](const tpq::train::EpochLog&) { ++best_calls; };
  hooks.after_optimizer_step = [&] { ++step_calls; };
  tpq::train::Trainer trainer(*model, config, torch::kCPU, 0);
  const auto result = trainer.fit(toy_split(64, 1), toy_split(32, 2), 2, hooks);
  EXPECT_TRUE(result.stopped_early);
  EXPECT_LT(result.epochs.size(), 20u);
  EXPECT_GE(best_calls, 1);
  EXPECT_EQ(step_calls, result.optimizer_steps);
}

TEST(Trainer, CurvesAreWrittenAsCsv) {
  auto config = toy_training();
  config.epochs = 1;
  torch::manual_seed(0);
  tpq::model::EncoderClassifier model(toy_config());
  tpq::train::Trainer trainer(*model, config, torch::kCPU, 0);
  const auto result = trainer.fit(toy_split(64, 1), toy_split(32, 2), 2);
  tpq::testing::ScratchDir scratch;
  tpq::train::write_training_curves(result, scratch.path());
  EXPECT_TRUE(std::filesystem::exists(scratch / "training_curve_steps.csv"));
  EXPECT_TRUE(std::filesystem::exists(scratch / "training_curve_epochs.csv"));
}

TEST(Trainer, Fp16OnCpuIsRefused) {
  auto config = toy_training();
  config.amp = "fp16";
  tpq::model::EncoderClassifier model(toy_config());
  EXPECT_THROW(tpq::train::Trainer(*model, config, torch::kCPU, 0), tpq::UserError);
}

}  // namespace
