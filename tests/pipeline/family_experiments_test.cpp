// Every encoder family through the experiments, end to end on the toy task: a from-scratch
// DistilBERT and RoBERTa trained by 01, pruned physically by 06 (head importance, head and FFN
// removal, fine-tuning) and quantized by 03 (static INT8). Their records name the family, their
// checkpoints carry HF's model_type and architecture, and every row learned the task.
#include <filesystem>

#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "support/sanitizers.h"
#include "support/toy_experiment.h"
#include "tpq/checkpoint/checkpoint.h"

namespace {

namespace fs = std::filesystem;
using tpq::testing::experiment_binary;
using tpq::testing::run_command;

struct FamilyCase {
  const char* model_type;
  const char* architecture;
};

class FamilyExperiments : public tpq::testing::ToyExperimentTest, public ::testing::WithParamInterface<FamilyCase> {
 protected:
  void SetUp() override {
    TPQ_SKIP_WITHOUT_SENTENCEPIECE();
    ToyExperimentTest::SetUp();
    const auto config = tpq::testing::tiny_config(scratch / "toy.jsonl", scratch / "cache");
    const std::string family_line = std::string("model:\n  model_type: ") + GetParam().model_type + "\n";
    tpq::testing::write_text_file(scratch / "tiny.yaml", family_line + config.substr(config.find('\n') + 1));
  }
  static double accuracy(const nlohmann::json& row) { return row["metrics"]["accuracy"].get<double>(); }
};

TEST_P(FamilyExperiments, BaselineHeadAndFfnPruningAndStaticInt8) {
  const auto model = train_baseline();
  ASSERT_FALSE(model.empty());
  const auto baseline = tpq::testing::read_json_file(scratch / "baseline" / "metrics.json");
  EXPECT_EQ(baseline["extra"]["model"]["family"], GetParam().model_type);
  EXPECT_EQ(baseline["model_source"]["kind"], "scratch");
  EXPECT_EQ(baseline["model_source"]["family"], GetParam().model_type);
  const auto config = tpq::testing::read_json_file(model / "config.json");
  EXPECT_EQ(config["model_type"], GetParam().model_type);
  EXPECT_EQ(config["architectures"][0], GetParam().architecture);
  EXPECT_GE(accuracy(baseline), 0.9) << "the toy task is learned by every family";

  const auto pruned = scratch / "structured_pruning";
  const auto pruning = run_command(experiment_binary("06_structured_pruning") + profile() + " --baseline-model " +
                                   model.string() + " --calibration_samples 50 --output_dir " + pruned.string());
  ASSERT_EQ(pruning.exit_code, 0) << pruning.output;
  const auto rows = tpq::testing::read_json_file(pruned / "metrics.json")["variants"];
  ASSERT_EQ(rows.size(), 5u);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    EXPECT_LT(rows[i]["size"]["params"].get<int64_t>(), rows[0]["size"]["params"].get<int64_t>()) << rows[i]["variant"];
    EXPECT_EQ(rows[i]["model_source"]["family"], GetParam().model_type);
  }
  // The pruned checkpoint reloads as its family, with the head it lost gone.
  EXPECT_EQ(rows[1]["variant"], "heads_1");
  const auto reloaded = tpq::checkpoint::load_checkpoint(pruned / "models" / "heads_1");
  EXPECT_EQ(reloaded.config.model_type, GetParam().model_type);
  EXPECT_EQ(reloaded.model->layers[0]->num_heads, 1);

  const auto quantized = scratch / "static_quantization";
  const auto int8 = run_command(experiment_binary("03_static_quantization") + profile() + " --baseline-model " +
                                model.string() + " --calibration_samples 50 --output_dir " + quantized.string());
  ASSERT_EQ(int8.exit_code, 0) << int8.output;
  for (const auto& row : tpq::testing::read_json_file(quantized / "metrics.json")["variants"]) {
    EXPECT_GE(accuracy(row), 0.85) << row["variant"];
  }
}

INSTANTIATE_TEST_SUITE_P(Families, FamilyExperiments,
                         ::testing::Values(FamilyCase{"distilbert", "DistilBertForSequenceClassification"},
                                           FamilyCase{"roberta", "RobertaForSequenceClassification"}),
                         [](const auto& info) { return std::string(info.param.model_type); });

}  // namespace
