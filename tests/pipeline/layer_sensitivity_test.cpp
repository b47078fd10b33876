// Layer sensitivity: one entry per selected Linear (and per layer), ranked by accuracy drop then
// loss change; the mixed selection really leaves the kept modules FP32.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/small_models.h"
#include "tpq/model/model_state.h"
#include "tpq/quant/engine.h"
#include "tpq/quant/int8_linear.h"
#include "pipeline/layer_sensitivity.h"

namespace {

tpq::model::EncoderClassifier random_model() {
  torch::manual_seed(11);
  auto config = tpq::testing::small_bert_config(/*vocab_size=*/200, /*hidden_size=*/32, /*layers=*/2, /*heads=*/2,
                                                /*intermediate_size=*/64, /*max_positions=*/32);
  config.initializer_range = 0.3;
  tpq::model::EncoderClassifier model(config);
  model->init_weights();
  model->eval();
  return model;
}

tpq::data::TokenizedSplit random_split(int64_t examples) {
  torch::manual_seed(5);
  tpq::data::TokenizedSplit split;
  split.max_length = 16;
  for (int64_t i = 0; i < examples; ++i) {
    const auto ids = torch::randint(1, 200, {4 + i % 12}, torch::kLong);
    std::vector<int64_t> values(ids.data_ptr<int64_t>(), ids.data_ptr<int64_t>() + ids.numel());
    split.append(values, std::vector<int64_t>(values.size(), 0), i % 2);
  }
  return split;
}

TEST(Sensitivity, OneEntryPerLinearAndPerLayerRankedByDamage) {
  tpq::quant::select_engine("auto");
  const auto split = random_split(40);
  const auto slice = tpq::data::head_of(split, 24);
  ASSERT_EQ(slice.size(), 24u);
  EXPECT_EQ(slice.labels, std::vector<int64_t>(split.labels.begin(), split.labels.begin() + 24));
  const auto report = tpq::pipeline::layer_sensitivity(random_model, {}, slice, /*num_labels=*/2, /*batch_size=*/8);
  EXPECT_EQ(report.samples, 24);
  ASSERT_EQ(report.linears.size(), 2u * 6);  // Q, K, V, attention output, FFN in, FFN out per layer
  ASSERT_EQ(report.layers.size(), 2u);
  for (std::size_t i = 0; i < report.linears.size(); ++i) {
    const auto& entry = report.linears[i];
    EXPECT_EQ(entry.layer, tpq::model::encoder_family("bert").layer_of(entry.module));
    EXPECT_DOUBLE_EQ(entry.accuracy_drop, report.fp32_accuracy - entry.accuracy);
    EXPECT_DOUBLE_EQ(entry.loss_change, entry.loss - report.fp32_loss);
    if (i == 0) continue;
    const auto& previous = report.linears[i - 1];
    EXPECT_TRUE(previous.accuracy_drop > entry.accuracy_drop ||
                (previous.accuracy_drop == entry.accuracy_drop && previous.loss_change >= entry.loss_change))
        << previous.module << " ranked before " << entry.module;
  }
  // INT8 does change the model: some Linear moves the loss.
  double largest = 0;
  for (const auto& entry : report.linears) largest = std::max(largest, std::abs(entry.loss_change));
  EXPECT_GT(largest, 0.0);
  EXPECT_EQ(report.top_linears(3).size(), 3u);
  EXPECT_EQ(report.top_linears(3).front(), report.linears.front().module);
  EXPECT_EQ(report.top_linears(100).size(), 12u);
}

TEST(Sensitivity, RanksByAccuracyDropThenLossChange) {
  std::vector<tpq::pipeline::SensitivityEntry> entries(4);
  entries[0].module = "a", entries[0].accuracy_drop = 0.00, entries[0].loss_change = 0.5;
  entries[1].module = "b", entries[1].accuracy_drop = 0.02, entries[1].loss_change = 0.1;
  entries[2].module = "c", entries[2].accuracy_drop = 0.02, entries[2].loss_change = 0.3;
  entries[3].module = "d", entries[3].accuracy_drop = -0.01, entries[3].loss_change = 0.9;
  tpq::pipeline::rank_by_sensitivity(entries);
  EXPECT_EQ(entries[0].module, "c");
  EXPECT_EQ(entries[1].module, "b");
  EXPECT_EQ(entries[2].module, "a");
  EXPECT_EQ(entries[3].module, "d");
}

TEST(Sensitivity, KeepFp32LeavesThoseLinearsInFp32) {
  tpq::quant::select_engine("auto");
  auto model = random_model();
  tpq::quant::LinearSelection selection;
  selection.keep_fp32 = {"bert.encoder.layer.1.output.dense", "bert.encoder.layer.0.attention.self.key"};
  const auto info = tpq::quant::quantize_dynamic(*model, tpq::quant::Granularity::PerChannel, selection);
  EXPECT_EQ(info.modules.size(), 10u);
  for (const auto& [name, linear] : tpq::model::named_linears(*model)) {
    const bool kept = name == selection.keep_fp32[0] || name == selection.keep_fp32[1];
    const bool head = name.rfind("bert.encoder", 0) != 0;
    if (kept || head) {
      EXPECT_FALSE(linear->kernel) << name;
      EXPECT_EQ(linear->weight.scalar_type(), torch::kFloat) << name;
      EXPECT_EQ(linear->weight.size(1), linear->in_features()) << name;
    } else {
      EXPECT_NE(dynamic_cast<tpq::quant::DynamicInt8Linear*>(linear->kernel.get()), nullptr) << name;
    }
  }
}

TEST(Sensitivity, EncoderLayerOfNames) {
  EXPECT_EQ(tpq::model::encoder_family("bert").layer_of("bert.encoder.layer.11.output.dense"), 11);
  EXPECT_EQ(tpq::model::encoder_family("bert").layer_of("bert.pooler.dense"), -1);
  EXPECT_EQ(tpq::model::encoder_family("bert").layer_of("classifier"), -1);
}

}  // namespace
