// End to end by Hub id: 01 fine-tunes "tpq-test/tiny-bert-a" fetched from the stand-in, then 02
// compresses the result; both metrics.json name the checkpoint and its commit, the report states it,
// and a rerun with the Hub gone (HF_HUB_OFFLINE=1) takes the same files from the cache.
#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hub/support/hub_test_support.h"
#include "support/toy_experiment.h"
#include "test_paths.h"
#include "tpq/io/atomic_file.h"

namespace {

namespace fs = std::filesystem;
using tpq::testing::experiment_binary;
using tpq::testing::HubTest;
using tpq::testing::kTinyRepo;
using tpq::testing::run_command;

class HubExperiment : public HubTest {
 protected:
  void SetUp() override {
    HubTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    tpq::testing::write_toy_dataset(scratch_ / "toy.jsonl");
    tpq::testing::write_text_file(scratch_ / "tiny.yaml",
                                  tpq::testing::tiny_config(scratch_ / "toy.jsonl", scratch_ / "data-cache"));
  }
  std::string program(const std::string& name, const std::string& arguments, const std::string& environment = "") const {
    return cli_environment() + environment + " " + experiment_binary(name) + " --profile quick --config " +
           (scratch_ / "tiny.yaml").string() + " --log-level warn " + arguments;
  }
  nlohmann::json model_source(const fs::path& run) const {
    return tpq::io::read_json_file(run / "metrics.json").value("model_source", nlohmann::json());
  }
};

TEST_F(HubExperiment, BaselineByHubIdThenDynamicQuantizationOfItsResult) {
  const fs::path results = scratch_ / "results";
  const auto baseline = run_command(program("01_baseline_training", std::string("--model ") + kTinyRepo + " --epochs 1 --output_dir " +
                                                                        (results / "baseline").string()));
  ASSERT_EQ(baseline.exit_code, 0) << baseline.output;
  const auto source = model_source(results / "baseline");
  EXPECT_EQ(source.value("kind", ""), "pretrained") << source;
  EXPECT_EQ(source.value("id", ""), kTinyRepo);
  EXPECT_EQ(source.value("commit", ""), commit_);
  EXPECT_EQ(source.value("source", ""), "download");
  EXPECT_EQ(source.value("family", ""), "bert");
  // The fine-tuned model kept the checkpoint's WordPiece vocabulary (no sentencepiece was trained).
  EXPECT_TRUE(fs::exists(results / "baseline" / "model" / "vocab.txt"));
  EXPECT_EQ(tpq::io::read_json_file(results / "baseline" / "model" / "config.json").value("vocab_size", 0), 30522);

  const auto quantized = run_command(program("02_dynamic_quantization", "--output_dir " + (results / "dynamic_quantization").string()));
  ASSERT_EQ(quantized.exit_code, 0) << quantized.output;
  EXPECT_EQ(model_source(results / "dynamic_quantization"), source);

  const fs::path report = scratch_ / "report.md";
  const auto filled = run_command(tpq::testing::cli_path() + " report --results_dir " + results.string() + " --template '" +
                                   std::string(TPQ_TEST_SOURCE_DIR) + "/report/实验报告模板.md' --output " + report.string());
  ASSERT_EQ(filled.exit_code, 0) << filled.output;
  const std::string text = tpq::testing::file_bytes(report);
  EXPECT_NE(text.find("预训练检查点 " + std::string(kTinyRepo) + "（从 Hugging Face Hub 下载，revision main，提交 " + commit_),
            std::string::npos);

  // The Hub gone: the same id resolves from the cache without the network.
  hub_->stop();
  const auto offline = run_command(program("01_baseline_training", std::string("--model ") + kTinyRepo + " --epochs 1 --output_dir " +
                                                                       (scratch_ / "offline").string(), "HF_HUB_OFFLINE=1"));
  ASSERT_EQ(offline.exit_code, 0) << offline.output;
  EXPECT_EQ(model_source(scratch_ / "offline").value("source", ""), "cache");
  EXPECT_EQ(model_source(scratch_ / "offline").value("commit", ""), commit_);
}

TEST_F(HubExperiment, AnUnknownRepoIsAOneLineErrorAndNoResults) {
  const auto result = run_command(program("01_baseline_training", "--model tpq-test/no-such-model --output_dir " +
                                                                      (scratch_ / "nothing").string()));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("tpq-test/no-such-model"), std::string::npos) << result.output;
  EXPECT_FALSE(fs::exists(scratch_ / "nothing" / "metrics.json"));
}

}  // namespace
