// Experiment 06 end to end on the toy baseline: pruned rows physically smaller, fine-tuned,
// measured side by side with FP32; bad flags are one-line user errors with nothing written.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "support/sanitizers.h"
#include "support/small_models.h"
#include "support/toy_experiment.h"
#include "tpq/core/error.h"
#include "tpq/io/safetensors.h"
#include "pipeline/structured_pruning.h"
#include "tpq/results/chart.h"

namespace {

namespace fs = std::filesystem;
using tpq::testing::experiment_binary;
using tpq::testing::run_command;

using tpq::testing::first_line;

class StructuredPruningExperiment : public tpq::testing::ToyExperimentTest {
 protected:
  void SetUp() override {
    TPQ_SKIP_WITHOUT_SENTENCEPIECE();
    ToyExperimentTest::SetUp();
    const auto model = train_baseline();
    ASSERT_FALSE(model.empty());
    run06 = experiment_binary("06_structured_pruning") + profile() + " --baseline-model " + model.string() +
            " --calibration_samples 50";
  }
  std::string run06;
};

TEST_F(StructuredPruningExperiment, PrunesFineTunesAndMeasuresEveryRow) {
  const auto out = scratch / "structured_pruning";
  const auto result = run_command(run06 + " --output_dir " + out.string());
  ASSERT_EQ(result.exit_code, 0) << result.output;

  // Toy model: 1 layer x 2 heads, so one head can go (one stays per layer).
  const auto metrics = tpq::testing::read_json_file(out / "metrics.json");
  EXPECT_EQ(metrics["variant"], "heads_1_ffn_50");
  std::vector<std::string> variants;
  for (const auto& v : metrics["variants"]) variants.push_back(v["variant"]);
  EXPECT_EQ(variants, (std::vector<std::string>{"fp32", "heads_1", "ffn_30", "ffn_50", "heads_1_ffn_50"}));
  const auto fp32_bytes = metrics["variants"][0]["size"]["file_bytes"].get<uint64_t>();
  for (std::size_t i = 1; i < metrics["variants"].size(); ++i) {
    const auto& row = metrics["variants"][i];
    EXPECT_LT(row["size"]["file_bytes"].get<uint64_t>(), fp32_bytes) << row["variant"];
    EXPECT_LT(row["size"]["params"].get<int64_t>(), metrics["variants"][0]["size"]["params"].get<int64_t>());
    const auto& pruning = row["extra"]["pruning"];
    EXPECT_EQ(pruning["fine_tuned"], true);
    EXPECT_EQ(pruning["heads_total"], 2);
    EXPECT_TRUE(pruning["before_fine_tuning"].contains("accuracy"));
    EXPECT_TRUE(tpq::testing::learned_toy_task(row, tpq::testing::kToyAccuracyFloor));
  }
  EXPECT_EQ(metrics["variants"][1]["extra"]["label"], "剪 1 个头");
  EXPECT_EQ(metrics["variants"][3]["extra"]["label"], "FFN 剪 50%");
  EXPECT_EQ(metrics["extra"]["pruning"]["kind"], "heads_ffn");
  EXPECT_EQ(metrics["experiment_extra"]["surviving_heads"].size(), 1u);
  EXPECT_EQ(metrics["experiment_extra"]["surviving_heads"][0].size(), 1u);

  // The saved pruned checkpoint has the smaller shapes and HF-style pruned_heads.
  const auto config = tpq::testing::read_json_file(out / "models" / "heads_1_ffn_50" / "config.json");
  EXPECT_EQ(config["pruned_heads"]["0"].size(), 1u);
  EXPECT_EQ(config["tpq_intermediate_sizes"], nlohmann::json({32}));
  const auto file = tpq::io::SafetensorsFile::open(out / "models" / "heads_1_ffn_50" / "model.safetensors");
  EXPECT_EQ(file.entry("bert.encoder.layer.0.attention.self.query.weight").shape, (std::vector<int64_t>{16, 32}));

  EXPECT_EQ(first_line(out / "heads_table.csv"), "剪枝头数,准确率,F1分数,模型大小 (MB),性能下降 (%),推理时间 (ms)");
  EXPECT_EQ(first_line(out / "ffn_table.csv"), "FFN稀疏度,准确率,F1分数,模型大小 (MB),推理时间 (ms)");
  EXPECT_TRUE(fs::exists(out / "fine_tuning_table.csv"));
  if (tpq::results::gnuplot_available()) {
    EXPECT_TRUE(fs::exists(out / "heads_heatmap.png"));
  }
}

TEST_F(StructuredPruningExperiment, ImpossibleCountsAndSparsitiesAreUserErrors) {
  for (const std::string flags : {" --ffn_sparsity 1.0", " --ffn_sparsity -0.2", " --heads 2", " --importance taylor"}) {
    const auto out = scratch / "bad";
    const auto result = run_command(run06 + flags + " --output_dir " + out.string());
    EXPECT_EQ(result.exit_code, 2) << flags << "\n" << result.output;
    EXPECT_FALSE(fs::exists(out / "metrics.json")) << flags;
  }
}

TEST(StructuredPruningOptions, HeadCountRuleFollowsTheModelSize) {
  tpq::pipeline::StructuredPruningOptions options;
  auto base = tpq::testing::small_bert_config(100, 768, 12, 12, 3072, 512);
  EXPECT_EQ(tpq::pipeline::head_counts(options, base).counts, (std::vector<int64_t>{4, 8, 12}));
  auto quick = tpq::testing::small_bert_config(100, 128, 2, 2, 512, 128);  // 4 heads, 2 removable
  EXPECT_EQ(tpq::pipeline::head_counts(options, quick).counts, (std::vector<int64_t>{1, 2}));
  options.heads = {0, 1};
  EXPECT_EQ(tpq::pipeline::head_counts(options, quick).counts, (std::vector<int64_t>{1}));
  options.heads = {3};
  EXPECT_THROW(tpq::pipeline::head_counts(options, quick), tpq::UserError);
}

}  // namespace
