// Masked-LM pre-training: BERT's masking rule, and the MLM loss falls on a repetitive toy corpus.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>
#include <ATen/CPUGeneratorImpl.h>

#include "support/small_models.h"
#include "tpq/data/tokenized_split.h"
#include "tpq/train/mlm_pretraining.h"
#include "train/autocast_scope.h"

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

TEST(MlmPretraining, MaskedPositionsKeepEachSequencesOrder) {
  const auto labels = torch::tensor({-100, 7, -100, 9, 8, -100,  //
                                     -100, -100, -100, -100, 6, -100,  //
                                     -100, -100, -100, -100, -100, -100}, torch::kLong).view({3, 6});
  const auto rows = tpq::train::masked_positions(labels);
  ASSERT_EQ(rows.positions.sizes(), (std::vector<int64_t>{3, 3}));
  EXPECT_TRUE(rows.positions[0].equal(torch::tensor({1, 3, 4}, torch::kLong)));
  EXPECT_EQ(rows.positions[1][0].item<int64_t>(), 4);
  EXPECT_TRUE(rows.labels.equal(torch::tensor({7, 9, 8, 6, -100, -100, -100, -100, -100}, torch::kLong).view({3, 3})));

  // At a real batch's width too, where an unstable sort would shuffle them.
  torch::manual_seed(2);
  const auto wide = torch::where(torch::rand({2, 512}).lt(0.15), torch::randint(5, 50, {2, 512}), torch::full({2, 512}, -100));
  const auto wide_rows = tpq::train::masked_positions(wide.to(torch::kLong));
  for (int64_t b = 0; b < 2; ++b) {
    const auto expected = wide[b].ne(-100).nonzero().squeeze(1);
    EXPECT_TRUE(wide_rows.positions[b].narrow(0, 0, expected.size(0)).equal(expected)) << "sequence " << b;
  }
}

// One masked batch's loss and every gradient, with the last layer on the masked positions alone
// (mlm_batch_loss) and on all of them (encode, then masked_lm_loss). Dropout is 0: with dropout the
// two layouts draw different masks.
void expect_last_layer_at_masked_rows_matches(const std::string& amp, double tolerance) {
  torch::manual_seed(5);
  auto config = tpq::testing::small_bert_config(60, 32, 2, 4, 64, 32);
  config.hidden_dropout_prob = config.attention_probs_dropout_prob = 0.0;
  tpq::model::EncoderClassifier model(config);
  tpq::train::MlmHead head(config);
  model->train();
  auto ids = torch::randint(5, 60, {4, 20}, torch::kLong);
  auto attention = torch::ones({4, 20}, torch::kLong);
  attention.index_put_({2, torch::indexing::Slice(13)}, 0);  // a padded sequence
  auto labels = torch::where(torch::rand({4, 20}).lt(0.3) & attention.eq(1), ids, torch::full_like(ids, -100));
  labels.index_put_({3}, -100);
  labels.index_put_({3, 5}, ids[3][5]);  // a sequence with one masked position: slots past it stay unlabelled
  const tpq::model::ModelInputs inputs{ids, {}, attention};
  std::vector<torch::Tensor> parameters = model->base->parameters();
  for (const auto& parameter : head->parameters()) parameters.push_back(parameter);

  auto loss_and_gradients = [&](bool at_masked_rows) {
    torch::Tensor loss;
    {
      tpq::train::AutocastScope autocast(amp, torch::kCPU);
      loss = at_masked_rows ? tpq::train::mlm_batch_loss(*model, *head, inputs, labels)
                            : tpq::train::masked_lm_loss(*head, model->encode(inputs), labels,
                                                         model->embeddings->word_embeddings->weight);
    }
    auto gradients = torch::autograd::grad({loss}, parameters, {}, /*retain_graph=*/false, false, /*allow_unused=*/true);
    return std::make_pair(loss.item<double>(), gradients);
  };
  const auto [reference, reference_grads] = loss_and_gradients(false);
  const auto [loss, grads] = loss_and_gradients(true);
  EXPECT_NEAR(loss, reference, tolerance * std::abs(reference));
  double largest = 0;
  for (const auto& gradient : reference_grads) {
    if (gradient.defined()) largest = std::max(largest, gradient.abs().max().item<double>());
  }
  int compared = 0;
  for (size_t i = 0; i < parameters.size(); ++i) {
    if (!reference_grads[i].defined()) continue;  // the pooler: MLM never reads it
    ASSERT_TRUE(grads[i].defined()) << "parameter " << i;
    // The key biases' gradients are zero but for rounding (softmax ignores a constant per row): they
    // are held to a floor of the largest gradient, not to their own rounding noise.
    const double scale = std::max(reference_grads[i].abs().max().item<double>(), 1e-4 * largest);
    EXPECT_LE((grads[i] - reference_grads[i]).abs().max().item<double>(), tolerance * scale) << "parameter " << i;
    ++compared;
  }
  EXPECT_GT(compared, 30);
}

TEST(MlmPretraining, LastLayerAtMaskedRowsGivesTheFullLayersLossAndGradients) {
  // FP32: the same sums in another order (3e-7 relative seen); a wrong row or slot is off by O(1).
  expect_last_layer_at_masked_rows_matches("none", 1e-5);
}

TEST(MlmPretraining, LastLayerAtMaskedRowsUnderBf16AutocastMatchesToo) {
  // bf16 products of fewer rows may round apart (3e-3 relative seen); a wrong row is off by O(1).
  expect_last_layer_at_masked_rows_matches("bf16", 3e-2);
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
