// Masked-LM pre-training: BERT's masking rule, and the MLM loss falls on a repetitive toy corpus.
#include <string>

#include <gtest/gtest.h>
#include <torch/torch.h>
#include <ATen/CPUGeneratorImpl.h>

#include "support/small_models.h"
#include "tpq/data/tokenized_split.h"
#include "tpq/train/mlm_pretraining.h"

namespace {

const tpq::train::SpecialIds kSpecial{/*pad=*/0, /*cls=*/2, /*sep=*/3, /*mask=*/4, /*first_regular=*/5};

TEST(MlmPretraining, MaskingFollowsBertsRule) {
  auto generator = torch::make_generator<at::CPUGeneratorImpl>(7);
  // (B, T): [CLS] tokens... [SEP] then padding.
  auto ids = torch::randint(5, 50, {64, 40}, torch::kLong);
  ids.index_put_({torch::indexing::Slice(), 0}, 2);
  ids.index_put_({torch::indexing::Slice(), 30}, 3);
  ids.index_put_({torch::indexing::Slice(), torch::indexing::Slice(31, torch::indexing::None)}, 0);
  const auto [masked, labels] = tpq::train::mask_tokens(ids, kSpecial, 50, 0.15, generator);
  const auto selected = labels.ne(-100);
  // Never specials or padding.
  EXPECT_FALSE(selected.index({torch::indexing::Slice(), 0}).any().item<bool>());
  EXPECT_FALSE(selected.index({torch::indexing::Slice(), torch::indexing::Slice(30, torch::indexing::None)}).any().item<bool>());
  // About 15% of the 29 regular positions per row.
  const double rate = selected.sum().item<double>() / (64.0 * 29);
  EXPECT_NEAR(rate, 0.15, 0.03);
  // Labels hold the original ids; about 80% of selected positions show [MASK].
  EXPECT_TRUE(labels.index({selected}).eq(ids.index({selected})).all().item<bool>());
  const double masked_share = masked.index({selected}).eq(4).sum().item<double>() / selected.sum().item<double>();
  EXPECT_NEAR(masked_share, 0.8, 0.08);
  // Unselected positions are untouched.
  EXPECT_TRUE(masked.index({~selected}).eq(ids.index({~selected})).all().item<bool>());
}

// The gathered loss is the all-positions cross-entropy (ignore_index -100), value and gradients,
// though only the labelled positions reach the decoder.
TEST(MlmPretraining, GatheredLossEqualsTheAllPositionsLoss) {
  torch::manual_seed(3);
  auto config = tpq::testing::small_bert_config(50, 32, 1, 2, 64, 24);
  tpq::train::MlmHead head(config);
  auto embeddings = torch::randn({50, 32}, torch::requires_grad());
  auto hidden = torch::randn({4, 24, 32}, torch::requires_grad());
  auto labels = torch::full({4, 24}, -100, torch::kLong);
  auto picked = torch::rand({4, 24}).lt(0.2);
  labels = torch::where(picked, torch::randint(5, 50, {4, 24}, torch::kLong), labels);
  ASSERT_GT(picked.sum().item<int64_t>(), 5);

  const auto gathered = tpq::train::masked_lm_loss(*head, hidden, labels, embeddings);
  const auto gathered_grads = torch::autograd::grad({gathered}, {hidden, embeddings, head->dense->weight});
  const auto all_logits = head->forward(hidden.reshape({-1, 32}), embeddings);  // (B*T, V)
  const auto reference = torch::nn::functional::cross_entropy(
      all_logits, labels.reshape({-1}), torch::nn::functional::CrossEntropyFuncOptions().ignore_index(-100));
  const auto reference_grads = torch::autograd::grad({reference}, {hidden, embeddings, head->dense->weight});

  EXPECT_NEAR(gathered.item<double>(), reference.item<double>(), 1e-6);
  // fp32 sums over different position sets round differently (3e-6 on entries up to 9 on an AVX-512
  // Xeon): the absolute tolerance scales with the gradient; a wrong gather or normaliser is off by O(1).
  for (size_t i = 0; i < gathered_grads.size(); ++i) {
    const double scale = reference_grads[i].abs().max().item<double>();
    EXPECT_TRUE(torch::allclose(gathered_grads[i], reference_grads[i], 1e-5, 1e-6 * scale))
        << "gradient " << i << ": max difference " << (gathered_grads[i] - reference_grads[i]).abs().max().item<double>()
        << " on entries up to " << scale;
  }
  EXPECT_GT(reference_grads[0].abs().sum().item<double>(), 0.0);
}

tpq::train::MlmResult pretrain_on_repetitive_corpus(const std::string& amp, bool& left_training_mode) {
  tpq::data::TokenizedSplit texts;
  for (int i = 0; i < 128; ++i) {
    std::vector<int64_t> ids = {2};
    for (int t = 0; t < 12; ++t) ids.push_back(5 + (t + i % 3) % 10);  // a few fixed cyclic patterns
    ids.push_back(3);
    texts.append(ids, std::vector<int64_t>(ids.size(), 0), 0);
  }
  torch::manual_seed(0);
  auto config = tpq::testing::small_bert_config(20, 32, 1, 2, 64, 16);
  config.hidden_dropout_prob = config.attention_probs_dropout_prob = 0.0;
  tpq::model::EncoderClassifier model(config);
  tpq::train::MlmConfig mlm;
  mlm.epochs = 8;
  mlm.learning_rate = 3e-3;
  mlm.batch_size = 16;
  mlm.amp = amp;
  auto result = tpq::train::pretrain_mlm(*model, texts, kSpecial, mlm, torch::kCPU, 1);
  left_training_mode = model->is_training();
  return result;
}

TEST(MlmPretraining, LossFallsOnARepetitiveCorpus) {
  bool training = true;
  const auto result = pretrain_on_repetitive_corpus("none", training);
  ASSERT_EQ(result.epoch_losses.size(), 8u);
  EXPECT_LT(result.epoch_losses.back(), 0.6 * result.epoch_losses.front());
  EXPECT_FALSE(training);
}

// training.amp reaches MLM pre-training too: under bf16 autocast the loss falls as in FP32.
TEST(MlmPretraining, Bf16AutocastLossFallsLikeFp32) {
  bool training = true;
  const auto fp32 = pretrain_on_repetitive_corpus("none", training);
  const auto bf16 = pretrain_on_repetitive_corpus("bf16", training);
  ASSERT_EQ(bf16.epoch_losses.size(), 8u);
  EXPECT_LT(bf16.epoch_losses.back(), 0.6 * bf16.epoch_losses.front());
  // A different rounding path, so not bit-identical to FP32, but the same trajectory.
  EXPECT_NE(bf16.epoch_losses.back(), fp32.epoch_losses.back());
  EXPECT_NEAR(bf16.epoch_losses.back(), fp32.epoch_losses.back(), 0.5 * fp32.epoch_losses.front());
}

}  // namespace
