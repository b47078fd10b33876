// 06 (structured pruning), 04 (QAT) and 07 (unstructured pruning) as jobs of two ranks under scripts/launch.sh, against one
// process, on the toy baseline trained without dropout: the fine-tunes train on both ranks
// (gradients all-reduced, the same number of steps), 06's fine-tuned models equal one process's
// to float order, and rank 0 alone publishes a record that says world_size 2.
#include <algorithm>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/local_job.h"
#include "support/toy_experiment.h"
#include "test_paths.h"
#include "tpq/io/safetensors.h"

namespace {

namespace fs = std::filesystem;

class DataParallelExperiments : public tpq::testing::ToyExperimentTest {
 protected:
  void SetUp() override {
    ToyExperimentTest::SetUp();
    auto config = tpq::testing::tiny_config(scratch / "toy.jsonl", scratch / "cache");
    // Dropout draws apart on each rank, and bf16 autocast rounds a 4-row gradient sum differently from
    // an 8-row one (0.02 apart after 40 steps): both off, the ranks must give one process's weights.
    const std::string model = "model:\n", training = "training:\n";
    config.replace(config.find(model), model.size(), model + "  dropout: 0.0\n");
    config.replace(config.find(training), training.size(), training + "  amp: none\n");
    tpq::testing::write_text_file(scratch / "tiny.yaml", config);
  }

  // The experiment on the toy baseline into scratch/<name>, as one process or as two ranks.
  tpq::testing::CommandResult run(const std::string& program, const std::string& name, int ranks) {
    const std::string command = tpq::testing::experiment_binary(program) + profile() + " --threads 1 --model_path " +
                                (scratch / "baseline" / "model").string() + " --output_dir " + (scratch / name).string();
    if (ranks == 1) return tpq::testing::run_command(command);
    return tpq::testing::run_command("bash " + std::string(TPQ_TEST_SOURCE_DIR) + "/scripts/launch.sh -n " +
                                     std::to_string(ranks) + " --master-port " + std::to_string(tpq::testing::free_port()) +
                                     " -- " + command);
  }
};

double largest_tensor_difference(const fs::path& a, const fs::path& b) {
  const auto first = tpq::io::SafetensorsFile::open(a), second = tpq::io::SafetensorsFile::open(b);
  double largest = 0;
  for (const auto& entry : first.header().tensors) {
    const auto x = first.tensor(entry.name), y = second.tensor(entry.name);
    EXPECT_EQ(x.sizes(), y.sizes()) << entry.name;
    if (x.sizes() == y.sizes()) largest = std::max(largest, (x.to(torch::kDouble) - y.to(torch::kDouble)).abs().max().item<double>());
  }
  return largest;
}

TEST_F(DataParallelExperiments, StructuredPruningFineTunesOnTwoRanksToTheModelsOfOneProcess) {
  ASSERT_FALSE(train_baseline().empty());
  const auto one = run("06_structured_pruning", "one", 1);
  ASSERT_EQ(one.exit_code, 0) << one.output;
  const auto two = run("06_structured_pruning", "two", 2);
  ASSERT_EQ(two.exit_code, 0) << two.output;
  const auto single = tpq::testing::read_json_file(scratch / "one" / "metrics.json");
  const auto job = tpq::testing::read_json_file(scratch / "two" / "metrics.json");
  EXPECT_EQ(job.at("world_size"), 2);
  EXPECT_EQ(job.at("dist_backend"), "gloo");
  ASSERT_EQ(job.at("variants").size(), single.at("variants").size());
  int fine_tuned = 0;
  for (std::size_t i = 1; i < single.at("variants").size(); ++i) {
    const auto& expected = single["variants"][i];
    const auto& got = job["variants"][i];
    const auto& training = got.at("extra").at("pruning").at("fine_tune_training");
    EXPECT_EQ(training.at("optimizer_steps"), expected["extra"]["pruning"]["fine_tune_training"]["optimizer_steps"]);
    EXPECT_GT(training.at("gradient_sync_seconds").get<double>(), 0.0) << "the fine-tune did not all-reduce";
    EXPECT_EQ(expected["extra"]["pruning"]["fine_tune_training"]["gradient_sync_seconds"], 0.0) << "one process synchronised";
    EXPECT_EQ(got.at("metrics").at("accuracy"), expected.at("metrics").at("accuracy"));
    const std::string variant = got.at("variant");
    // Float order leaves up to 1.1e-5 after AdamW's 40 steps on near-zero losses; ranks that each
    // trained on their own half, unaveraged, end 0.07-0.11 apart.
    EXPECT_LT(largest_tensor_difference(scratch / "one" / "models" / variant / "model.safetensors",
                                        scratch / "two" / "models" / variant / "model.safetensors"),
              1e-4)
        << variant;
    ++fine_tuned;
  }
  EXPECT_GT(fine_tuned, 0);
}

TEST_F(DataParallelExperiments, QatAndUnstructuredPruningTrainOnTwoRanks) {
  ASSERT_FALSE(train_baseline().empty());
  const auto qat_run = run("04_qat_experiment", "qat", 2);
  ASSERT_EQ(qat_run.exit_code, 0) << qat_run.output;
  const auto qat_record = tpq::testing::read_json_file(scratch / "qat" / "metrics.json");
  EXPECT_EQ(qat_record.at("world_size"), 2);
  const auto& variants = qat_record.at("variants");
  const auto qat = std::find_if(variants.begin(), variants.end(), [](const auto& v) { return v.at("variant") == "int8_qat"; });
  ASSERT_NE(qat, variants.end());
  EXPECT_GT(qat->at("extra").at("gradient_sync_seconds").get<double>(), 0.0) << "QAT did not all-reduce";
  EXPECT_TRUE(tpq::testing::learned_toy_task(*qat, tpq::testing::kToyAccuracyFloor));

  const auto pruning_run = run("07_unstructured_pruning", "unstructured", 2);
  ASSERT_EQ(pruning_run.exit_code, 0) << pruning_run.output;
  const auto pruning_record = tpq::testing::read_json_file(scratch / "unstructured" / "metrics.json");
  EXPECT_EQ(pruning_record.at("world_size"), 2);
  int fine_tuned = 0;
  for (const auto& variant : pruning_record.at("variants")) {
    if (!variant.at("extra").contains("pruning")) continue;  // the FP32 row
    EXPECT_GT(variant["extra"]["pruning"].at("fine_tune_gradient_sync_seconds").get<double>(), 0.0) << variant.at("variant");
    ++fine_tuned;
  }
  EXPECT_GT(fine_tuned, 0);
}

}  // namespace
