// Data-parallel training on two ranks (threads of this process, joined through c10d's TCPStore
// and Gloo) against one process with the same global batch: the same weights after 20 steps, the
// same validation metrics, and each rank's slice of every batch.
#include <chrono>
#include <future>
#include <set>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/local_job.h"
#include "support/parity_task.h"
#include "support/reference.h"
#include "support/small_models.h"
#include "tpq/data/batching.h"
#include "tpq/dist/process_group.h"
#include "tpq/train/trainer.h"

namespace {

using std::chrono::milliseconds;

tpq::model::EncoderClassifier parity_model(uint64_t seed) {
  torch::manual_seed(seed);
  auto config = tpq::testing::small_bert_config(40, 16, 2, 2, 32, 16);
  config.hidden_dropout_prob = 0.0;  // dropout would draw differently on 1 and 2 ranks
  config.attention_probs_dropout_prob = 0.0;
  return tpq::model::EncoderClassifier(config);
}

tpq::train::TrainConfig parity_training(int64_t accumulation) {
  tpq::train::TrainConfig config;
  config.epochs = 2;
  config.batch_size = 16;  // the global batch: 8 rows per rank on two ranks
  config.learning_rate = 5e-3;
  config.gradient_accumulation_steps = accumulation;
  config.eval_batch_size = 8;
  return config;
}

struct Trained {
  std::vector<torch::Tensor> weights;
  tpq::train::TrainResult result;
};

std::vector<torch::Tensor> weights_of(const tpq::model::EncoderClassifier& model) {
  std::vector<torch::Tensor> weights;
  for (const auto& parameter : model->parameters()) weights.push_back(parameter.detach().clone());
  return weights;
}

struct ParitySplits {
  tpq::data::TokenizedSplit train = tpq::testing::parity_split(160, 1);
  tpq::data::TokenizedSplit validation = tpq::testing::parity_split(40, 2);
};

Trained train(tpq::model::EncoderClassifier model, int64_t accumulation, const ParitySplits& data,
              tpq::dist::ProcessGroup* group) {
  tpq::train::Trainer trainer(*model, parity_training(accumulation), torch::kCPU, 5, group);
  Trained trained;
  trained.result = trainer.fit(data.train, data.validation, 2);
  trained.weights = weights_of(model);
  return trained;
}

double largest_difference(const Trained& a, const Trained& b) { return tpq::testing::max_abs_difference(a.weights, b.weights); }

// Both ranks' models and data are made before the threads start: the global generator is shared
// by threads, so drawing from it in both at once would give each rank different rows.
std::pair<Trained, Trained> train_on_two_ranks(int64_t accumulation, const ParitySplits& data) {
  const int port = tpq::testing::free_port();
  auto model0 = parity_model(5), model1 = parity_model(99);  // rank 1 starts elsewhere: the broadcast must fix it
  auto rank_work = [&](int rank, tpq::model::EncoderClassifier model) {
    auto group = tpq::dist::ProcessGroup::join(tpq::testing::rank_env(rank, 2, port), milliseconds(30000));
    return train(model, accumulation, data, group.get());
  };
  auto other = std::async(std::launch::async, rank_work, 1, model1);
  auto mine = rank_work(0, model0);
  return {std::move(mine), other.get()};
}

class DataParallel : public ::testing::TestWithParam<int64_t> {};

TEST_P(DataParallel, TwoRanksEndWithTheWeightsAndMetricsOfOneProcess) {
  const int64_t accumulation = GetParam();
  const ParitySplits data;
  const auto single = train(parity_model(5), accumulation, data, nullptr);
  const auto [rank0, rank1] = train_on_two_ranks(accumulation, data);
  ASSERT_EQ(single.result.optimizer_steps, 20 / accumulation);
  EXPECT_EQ(rank0.result.optimizer_steps, single.result.optimizer_steps);
  // Training moved the weights by far more than the tolerance: float order alone separates one
  // process from two ranks.
  EXPECT_GT(largest_difference(single, Trained{weights_of(parity_model(5)), {}}), 1e-2);
  EXPECT_LT(largest_difference(single, rank0), 1e-5);
  EXPECT_EQ(largest_difference(rank0, rank1), 0.0) << "the ranks took different steps";
  for (const auto* rank : {&rank0, &rank1}) {
    ASSERT_EQ(rank->result.epochs.size(), single.result.epochs.size());
    for (std::size_t e = 0; e < single.result.epochs.size(); ++e) {
      const auto& expected = single.result.epochs[e];
      const auto& got = rank->result.epochs[e];
      EXPECT_EQ(got.validation.accuracy, expected.validation.accuracy) << "epoch " << e + 1;
      EXPECT_NEAR(got.validation.loss, expected.validation.loss, 1e-5) << "epoch " << e + 1;
      EXPECT_NEAR(got.train_loss, expected.train_loss, 1e-5) << "epoch " << e + 1;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Accumulation, DataParallel, ::testing::Values(1, 2));

TEST(DataParallelBatches, EachRankTakesItsSliceOfEveryGlobalBatch) {
  const auto split = tpq::testing::parity_split(37, 3);  // the last global batch of 8 has 5 rows
  auto single = tpq::data::training_batches(split, 8, 4, /*length_buckets=*/true, torch::kCPU);
  auto rank0 = tpq::data::training_batches(split, 8, 4, true, torch::kCPU, 0, 2);
  auto rank1 = tpq::data::training_batches(split, 8, 4, true, torch::kCPU, 1, 2);
  ASSERT_EQ(rank0.num_batches(), single.num_batches());
  ASSERT_EQ(rank1.num_batches(), single.num_batches());
  for (std::size_t b = 0; b < single.num_batches(); ++b) {
    const auto& whole = single.example_indices(b);
    const auto& first = rank0.example_indices(b);
    const auto& second = rank1.example_indices(b);
    EXPECT_EQ(first.size(), (whole.size() + 1) / 2);
    EXPECT_EQ(second.size(), first.size()) << "every rank takes the same number of rows";
    std::set<int64_t> together(first.begin(), first.end());
    together.insert(second.begin(), second.end());
    EXPECT_EQ(together, std::set<int64_t>(whole.begin(), whole.end())) << "batch " << b;
    if (whole.size() % 2 == 0) {
      EXPECT_EQ(std::vector<int64_t>(whole.begin(), whole.begin() + first.size()), first) << "rank 0: the first half";
    }
  }
}

}  // namespace
