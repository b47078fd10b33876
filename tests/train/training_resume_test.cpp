// Resumable training: a fit() interrupted mid-epoch and resumed from its newest snapshot ends with
// the weights, logs and best checkpoint of an uninterrupted fit (dropout on: the random state
// comes back too); MLM pre-training likewise; a snapshot of another setup is refused by name; the
// store keeps the newest two snapshots and ignores half-written files.
#include <filesystem>
#include <stdexcept>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/fixtures.h"
#include "support/parity_task.h"
#include "support/small_models.h"
#include "support/user_error_matchers.h"
#include "tpq/train/mlm_pretraining.h"
#include "tpq/train/trainer.h"
#include "tpq/train/training_state.h"

namespace {

namespace fs = std::filesystem;

tpq::model::EncoderClassifier resume_model(uint64_t seed) {
  torch::manual_seed(seed);
  auto config = tpq::testing::small_bert_config(40, 16, 2, 2, 32, 16);
  config.hidden_dropout_prob = 0.1;  // on: the snapshot must bring the dropout stream back
  return tpq::model::EncoderClassifier(config);
}

tpq::train::TrainConfig resume_training(int64_t accumulation) {
  tpq::train::TrainConfig config;
  config.epochs = 3;
  config.batch_size = 16;
  config.learning_rate = 5e-3;
  config.gradient_accumulation_steps = accumulation;
  config.log_every_steps = 2;
  return config;
}

struct StopHere : std::runtime_error {
  StopHere() : std::runtime_error("stopped") {}
};

struct Fitted {
  std::vector<torch::Tensor> weights, best;  // at the end, and as on_best last saw them
  tpq::train::TrainResult result;
};

std::vector<torch::Tensor> copy_of(const std::vector<torch::Tensor>& tensors) {
  std::vector<torch::Tensor> copies;
  for (const auto& tensor : tensors) copies.push_back(tensor.detach().clone());
  return copies;
}

// Trains a model from `init`; stop_after > 0 throws after that optimizer step (the kill).
Fitted fit(uint64_t init, int64_t accumulation, const tpq::train::ResumeOptions& resume, int64_t stop_after = 0) {
  auto model = resume_model(init);
  tpq::train::Trainer trainer(*model, resume_training(accumulation), torch::kCPU, 11);
  trainer.checkpoint_to(resume);
  Fitted fitted;
  int64_t steps = 0;
  tpq::train::TrainHooks hooks;
  hooks.after_optimizer_step = [&] {
    if (stop_after > 0 && ++steps == stop_after) throw StopHere();
  };
  hooks.on_best = [&](const tpq::train::EpochLog&) { fitted.best = copy_of(tpq::train::module_state(*model)); };
  fitted.result = trainer.fit(tpq::testing::parity_split(160, 1), tpq::testing::parity_split(40, 2), 2, hooks);
  fitted.weights = copy_of(tpq::train::module_state(*model));
  return fitted;
}

double largest_difference(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  EXPECT_EQ(a.size(), b.size());
  double largest = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) largest = std::max(largest, (a[i] - b[i]).abs().max().item<double>());
  return largest;
}

class TrainingResume : public ::testing::TestWithParam<int64_t> {
 protected:
  tpq::testing::ScratchDir scratch;
};

TEST_P(TrainingResume, KilledMidEpochResumesToTheWeightsOfAnUninterruptedRun) {
  const int64_t accumulation = GetParam();
  const auto uninterrupted = fit(5, accumulation, {});
  const tpq::train::ResumeOptions every_3{scratch / "state", 3, false};
  // 10 batches an epoch: the stop after optimizer step 17 (5 steps an epoch with accumulation: 7)
  // falls mid-epoch 2, two steps past the newest snapshot (15, or 6).
  const int64_t stop_after = accumulation == 1 ? 17 : 7;
  EXPECT_THROW(fit(5, accumulation, every_3, stop_after), StopHere);
  ASSERT_TRUE(tpq::train::SnapshotStore(scratch / "state").newest().has_value());
  auto resumed_options = every_3;
  resumed_options.resume = true;
  const auto resumed = fit(99, accumulation, resumed_options);  // other initial weights: the snapshot must replace them
  EXPECT_EQ(largest_difference(uninterrupted.weights, fit(5, accumulation, {}).weights), 0.0) << "the reference itself varies";
  EXPECT_GT(largest_difference(uninterrupted.weights, tpq::train::module_state(*resume_model(99))), 1e-2);
  EXPECT_EQ(largest_difference(uninterrupted.weights, resumed.weights), 0.0);
  EXPECT_EQ(largest_difference(uninterrupted.best, resumed.best), 0.0) << "on_best saw other weights";
  EXPECT_EQ(resumed.result.optimizer_steps, uninterrupted.result.optimizer_steps);
  EXPECT_EQ(resumed.result.best_epoch, uninterrupted.result.best_epoch);
  ASSERT_EQ(resumed.result.epochs.size(), uninterrupted.result.epochs.size());
  for (std::size_t e = 0; e < resumed.result.epochs.size(); ++e) {
    EXPECT_EQ(resumed.result.epochs[e].train_loss, uninterrupted.result.epochs[e].train_loss) << "epoch " << e + 1;
    EXPECT_EQ(resumed.result.epochs[e].validation.loss, uninterrupted.result.epochs[e].validation.loss) << "epoch " << e + 1;
  }
  ASSERT_EQ(resumed.result.steps.size(), uninterrupted.result.steps.size());
  for (std::size_t s = 0; s < resumed.result.steps.size(); ++s) {
    EXPECT_EQ(resumed.result.steps[s].loss, uninterrupted.result.steps[s].loss) << "step log " << s;
  }
}

INSTANTIATE_TEST_SUITE_P(Accumulation, TrainingResume, ::testing::Values(1, 2));

TEST(TrainingResumeSetup, ASnapshotOfAnotherSetupIsRefusedNamingTheKey) {
  tpq::testing::ScratchDir scratch;
  fit(5, 1, {scratch / "state", 3, false});
  auto model = resume_model(5);
  auto config = resume_training(1);
  config.learning_rate = 1e-3;
  tpq::train::Trainer trainer(*model, config, torch::kCPU, 11);
  trainer.checkpoint_to({scratch / "state", 3, true});
  const auto train = tpq::testing::parity_split(160, 1), validation = tpq::testing::parity_split(40, 2);
  tpq::testing::expect_user_error([&] { trainer.fit(train, validation, 2); },
                                  {"is of another training setup: training.learning_rate (checkpoint: 0.005, here: 0.001)",
                                   "run without --resume"});
}

TEST(SnapshotStore, KeepsTheNewestTwoAndIgnoresHalfWrittenFiles) {
  tpq::testing::ScratchDir scratch;
  const tpq::train::SnapshotStore store(scratch / "state");
  EXPECT_FALSE(store.newest().has_value());
  for (int64_t step : {5, 10, 15}) {
    torch::serialize::OutputArchive archive;
    archive.write("step", torch::tensor(step));
    store.write(step, archive);
  }
  tpq::testing::write_text_file(scratch / "state" / "snapshot-000000020.pt.tmp.123.abc", "torn");
  EXPECT_EQ(tpq::train::snapshot_step(*store.newest()), 15);
  int64_t snapshots = 0;
  for (const auto& entry : fs::directory_iterator(scratch / "state")) snapshots += tpq::train::snapshot_step(entry.path()) >= 0;
  EXPECT_EQ(snapshots, 2);
  tpq::testing::write_text_file(scratch / "state" / "snapshot-000000030.pt", "not an archive");
  torch::serialize::InputArchive archive;
  tpq::testing::expect_user_error([&] { tpq::train::load_snapshot(archive, *store.newest()); },
                                  {"cannot read the training checkpoint", "snapshot-000000030.pt", "delete it"});
}

// MLM: a run resumed from its mid-epoch snapshot (the newest left once the finished one is
// removed, as a kill after that step would leave it) ends with the uninterrupted weights.
TEST(MlmResume, ResumedFromAMidEpochSnapshotEndsWithTheUninterruptedWeights) {
  tpq::testing::ScratchDir scratch;
  const tpq::train::SpecialIds special{0, 2, 3, 4, 5};
  tpq::train::MlmConfig config;
  config.epochs = 2;
  config.batch_size = 16;
  const auto texts = tpq::testing::parity_split(96, 3);  // 6 batches an epoch, 12 steps
  const auto pretrain = [&](uint64_t init, const tpq::train::ResumeOptions& resume) {
    auto model = resume_model(init);
    torch::manual_seed(11);
    const auto result = tpq::train::pretrain_mlm(*model, texts, special, config, torch::kCPU, 11, nullptr, resume);
    EXPECT_EQ(result.steps, 12);
    EXPECT_EQ(result.epoch_losses.size(), 2u);
    return tpq::train::module_state(*model->base);
  };
  const auto uninterrupted = pretrain(5, {});
  pretrain(5, {scratch / "state", 5, false});  // snapshots at steps 5, 6 (epoch end), 10, 12 (epoch end)
  tpq::train::SnapshotStore store(scratch / "state");
  ASSERT_EQ(tpq::train::snapshot_step(*store.newest()), 12);
  fs::remove(*store.newest());
  ASSERT_EQ(tpq::train::snapshot_step(*store.newest()), 10);  // mid-epoch 2
  const auto resumed = pretrain(99, {scratch / "state", 5, true});
  EXPECT_GT(largest_difference(uninterrupted, tpq::train::module_state(*resume_model(99)->base)), 1e-2);
  EXPECT_EQ(largest_difference(uninterrupted, resumed), 0.0);
}

}  // namespace
