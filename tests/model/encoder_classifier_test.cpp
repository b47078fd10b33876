// BERT module structure and behaviour on small random models.
#include <gtest/gtest.h>
#include "support/small_models.h"
#include <torch/torch.h>

#include <cstdlib>

#include "tpq/core/error.h"
#include "tpq/kernels/kernel_info.h"
#include "tpq/model/encoder_classifier.h"
#include "tpq/quant/quantized_model.h"

namespace {

tpq::model::EncoderConfig small_config() { return tpq::testing::small_bert_config(100, 32, 2, 4, 64, 40); }

tpq::model::ModelInputs random_inputs(int64_t batch, int64_t seq_len) {
  return {torch::randint(1, 100, {batch, seq_len}, torch::kLong), torch::zeros({batch, seq_len}, torch::kLong),
          torch::ones({batch, seq_len}, torch::kLong)};
}

TEST(BertModel, OutputShapes) {
  torch::manual_seed(0);
  tpq::model::EncoderClassifier model(small_config());
  model->eval();
  const auto outputs = model->forward(random_inputs(3, 7));
  EXPECT_EQ(outputs.logits.sizes(), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(outputs.last_hidden_state.sizes(), (std::vector<int64_t>{3, 7, 32}));
  EXPECT_EQ(outputs.pooled.sizes(), (std::vector<int64_t>{3, 32}));
}

TEST(BertModel, DropoutActsOnlyInTrainMode) {
  torch::manual_seed(0);
  tpq::model::EncoderClassifier model(small_config());
  const auto inputs = random_inputs(2, 5);
  model->eval();
  EXPECT_TRUE(torch::equal(model->forward(inputs).logits, model->forward(inputs).logits));
  model->train();
  EXPECT_FALSE(torch::equal(model->forward(inputs).logits, model->forward(inputs).logits));
}

TEST(BertModel, PerLayerHeadsAndFfnWidthsShapeTheWeights) {
  auto config = small_config();
  config.pruned_heads = {{0, {1, 3}}};
  config.intermediate_sizes = {16, 48};
  tpq::model::EncoderClassifier model(config);
  const auto& layer0 = model->layers[0];
  const auto& layer1 = model->layers[1];
  EXPECT_EQ(layer0->query->weight.sizes(), (std::vector<int64_t>{16, 32}));
  EXPECT_EQ(layer0->attention_output->weight.sizes(), (std::vector<int64_t>{32, 16}));
  EXPECT_EQ(layer1->query->weight.sizes(), (std::vector<int64_t>{32, 32}));
  EXPECT_EQ(layer0->ffn_in->weight.sizes(), (std::vector<int64_t>{16, 32}));
  EXPECT_EQ(layer1->ffn_out->weight.sizes(), (std::vector<int64_t>{32, 48}));
  model->eval();
  EXPECT_EQ(model->forward(random_inputs(2, 6)).logits.sizes(), (std::vector<int64_t>{2, 2}));
}

TEST(BertModel, LayerWithEveryHeadPrunedStillRuns) {
  auto config = small_config();
  config.pruned_heads = {{1, {0, 1, 2, 3}}};
  tpq::model::EncoderClassifier model(config);
  model->eval();
  EXPECT_TRUE(model->forward(random_inputs(2, 6)).logits.isfinite().all().item<bool>());
}

// logits() runs the last layer on the first token's row alone; the numbers are forward's.
double first_token_logits_gap(tpq::model::EncoderClassifierImpl& model, const tpq::model::ModelInputs& inputs) {
  torch::NoGradGuard no_grad;
  model.eval();
  const auto reference = model.forward(inputs).logits.to(torch::kFloat);
  const auto logits = model.logits(inputs).to(torch::kFloat);
  EXPECT_EQ(logits.sizes(), reference.sizes());
  return (logits - reference).abs().max().item<double>() / reference.abs().max().item<double>();
}

tpq::model::ModelInputs padded_inputs() {
  auto inputs = random_inputs(3, 11);
  inputs.attention_mask.index_put_({1, torch::indexing::Slice(6)}, 0);
  return inputs;
}

TEST(BertModel, LogitsAloneEqualForwardsLogits) {
  torch::manual_seed(4);
  auto config = small_config();
  config.pruned_heads = {{1, {0, 2}}};  // the last layer, with its heads and FFN width changed
  config.intermediate_sizes = {64, 40};
  tpq::model::EncoderClassifier model(config);
  const auto inputs = padded_inputs();
  EXPECT_LE(first_token_logits_gap(*model, inputs), 1e-5);  // FP32: the same sums (1e-7 seen)
  model->to(torch::kBFloat16);
  EXPECT_LE(first_token_logits_gap(*model, inputs), 2e-2);  // BF16 products of one row round apart
}

// Dynamic INT8 picks its grid from what it quantizes, here the first tokens' rows alone: not
// forward's numbers, but as close to the FP32 logits as forward's INT8 ones.
TEST(BertModel, LogitsAloneUnderDynamicInt8StayAsCloseToFp32) {
  torch::manual_seed(4);
  tpq::model::EncoderClassifier model(small_config());
  const auto inputs = padded_inputs();
  torch::NoGradGuard no_grad;
  model->eval();
  const auto fp32 = model->forward(inputs).logits;
  tpq::quant::quantize_dynamic(*model, tpq::quant::Granularity::PerChannel);
  const double forward_gap = (model->forward(inputs).logits - fp32).abs().max().item<double>();
  const double logits_gap = (model->logits(inputs) - fp32).abs().max().item<double>();
  EXPECT_LE(logits_gap, 2 * forward_gap + 1e-6 * fp32.abs().max().item<double>());
}

TEST(BertModel, LastLayerFullIsTheSettingAndTheRecordSaysWhich) {
  EXPECT_EQ(tpq::kernels::kernel_record()["last_layer"], "first token only");
  ::setenv("TPQ_LAST_LAYER", "full", 1);
  EXPECT_EQ(tpq::kernels::last_layer_choice(), "full");
  EXPECT_EQ(tpq::kernels::kernel_record()["last_layer"], "every position");
  torch::manual_seed(4);
  tpq::model::EncoderClassifier model(small_config());
  EXPECT_EQ(first_token_logits_gap(*model, padded_inputs()), 0.0);  // the very ops of forward
  ::unsetenv("TPQ_LAST_LAYER");
  EXPECT_EQ(tpq::kernels::last_layer_choice(), "first-token");
}

TEST(BertModel, PaddingPositionsDoNotInfluenceRealTokens) {
  torch::manual_seed(1);
  tpq::model::EncoderClassifier model(small_config());
  model->eval();
  auto inputs = random_inputs(1, 6);
  const auto unpadded = model->forward(inputs).logits;
  auto padded_ids = torch::cat({inputs.input_ids, torch::randint(1, 100, {1, 4}, torch::kLong)}, 1);
  auto padded_mask = torch::cat({inputs.attention_mask, torch::zeros({1, 4}, torch::kLong)}, 1);
  const auto padded = model->forward({padded_ids, torch::zeros_like(padded_ids), padded_mask}).logits;
  EXPECT_TRUE(torch::allclose(unpadded, padded, 1e-5, 1e-6));
}

TEST(BertModel, HeadMaskOfOnesChangesNothingAndZerosChangeSomething) {
  torch::manual_seed(2);
  tpq::model::EncoderClassifier model(small_config());
  model->eval();
  const auto inputs = random_inputs(2, 5);
  const auto plain = model->forward(inputs).logits;
  EXPECT_TRUE(torch::equal(plain, model->forward(inputs, {torch::ones({4}), torch::ones({4})}).logits));
  EXPECT_FALSE(torch::allclose(plain, model->forward(inputs, {torch::zeros({4}), torch::ones({4})}).logits));
}

TEST(BertModel, InitialisationFollowsHuggingFace) {
  torch::manual_seed(3);
  tpq::model::EncoderClassifier model(small_config());
  auto& embeddings = model->embeddings;
  EXPECT_EQ(embeddings->word_embeddings->weight[0].abs().sum().item<float>(), 0.0f);  // padding row
  EXPECT_TRUE(torch::equal(embeddings->LayerNorm->weight, torch::ones({32})));
  EXPECT_NEAR(model->classifier->weight.std().item<float>(), 0.02, 0.01);
  EXPECT_EQ(model->classifier->bias.abs().sum().item<float>(), 0.0f);
}

TEST(BertModel, SequenceLongerThanPositionsIsAClearError) {
  tpq::model::EncoderClassifier model(small_config());
  try {
    model->forward(random_inputs(1, 41));
    FAIL() << "expected UserError";
  } catch (const tpq::UserError& error) {
    EXPECT_NE(std::string(error.what()).find("max_position_embeddings"), std::string::npos);
  }
}

}  // namespace
