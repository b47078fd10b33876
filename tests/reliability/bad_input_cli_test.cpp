// Bad input as a user meets it: the numbered binary (or `tpq`) is run on a broken config, dataset,
// checkpoint, device or a full disk, and must exit 2 with one error line naming the culprit (file,
// key or flag) and leave no results behind: no metrics.json, no partial or temp files.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>
#include <torch/cuda.h>

#include "support/fixtures.h"
#include "support/local_job.h"
#include "support/result_files.h"
#include "support/toy_experiment.h"

namespace {

namespace fs = std::filesystem;
using tpq::testing::CommandResult;
using tpq::testing::run_command;
using tpq::testing::ScratchDir;
using tpq::testing::write_text_file;

std::size_t count_lines_with(const std::string& text, const std::string& needle) {
  std::size_t count = 0, start = 0;
  while (start < text.size()) {
    const auto end = std::min(text.find('\n', start), text.size());
    if (text.substr(start, end - start).find(needle) != std::string::npos) ++count;
    start = end + 1;
  }
  return count;
}

// Exit 2, exactly one "error:" line that names `must_name`, and nothing written under `out`.
void expect_clean_failure(const CommandResult& result, const fs::path& out, const std::string& must_name) {
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_EQ(count_lines_with(result.output, "error:"), 1u) << result.output;
  EXPECT_EQ(result.output.find("internal error"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find(must_name), std::string::npos) << "error should name '" << must_name << "':\n"
                                                               << result.output;
  const auto files = tpq::testing::list_files(out);
  EXPECT_TRUE(files.empty()) << "left behind under " << out << ": " << (files.empty() ? "" : files.front());
}

// Experiment 01 on the toy dataset with `yaml` layered over the tiny config.
class BaselineBadInput : public ::testing::Test {
 protected:
  void SetUp() override { tpq::testing::write_toy_dataset(scratch / "toy.jsonl"); }

  // The runner takes one --config, so the case's lines go under the matching section of the tiny config.
  CommandResult run(const std::string& yaml, const std::string& flags = "", const fs::path& data = {},
                    const std::string& environment = "") {
    std::string config = tpq::testing::tiny_config(data.empty() ? scratch / "toy.jsonl" : data, scratch / "cache");
    std::size_t start = 0, insert_at = std::string::npos;
    while (start < yaml.size()) {
      const auto end = std::min(yaml.find('\n', start), yaml.size());
      const std::string line = yaml.substr(start, end - start) + "\n";
      if (line[0] != ' ') {
        insert_at = config.find("\n" + line);
        insert_at = insert_at == std::string::npos ? std::string::npos : insert_at + 1 + line.size();
        if (insert_at == std::string::npos) config += line, insert_at = config.size();
      } else {
        config.insert(insert_at, line);
        insert_at += line.size();
      }
      start = end + 1;
    }
    write_text_file(scratch / "case.yaml", config);
    return run_command(environment + tpq::testing::experiment_binary("01_baseline_training") + " --profile quick --config " +
                       (scratch / "case.yaml").string() + " --output_dir " + out().string() +
                       " --threads 1 --log-level warn " + flags);
  }
  fs::path out() const { return scratch / "results"; }

  ScratchDir scratch;
};

TEST_F(BaselineBadInput, MalformedYamlNamesFileAndLine) {
  const auto result = run("training:\n  epochs: [1, 2\n  batch_size: 4\n");
  expect_clean_failure(result, out(), "case.yaml:");
}

TEST_F(BaselineBadInput, UnknownKeySuggestsTheClosest) {
  const auto result = run("training:\n  learnig_rate: 0.1\n");
  expect_clean_failure(result, out(), "did you mean 'training.learning_rate'");
}

TEST_F(BaselineBadInput, WrongTypeNamesTheKey) {
  // A key the tiny config does not set (a duplicate YAML key would be the later value).
  const auto result = run("training:\n  weight_decay: lots\n");
  expect_clean_failure(result, out(), "training.weight_decay");
}

TEST_F(BaselineBadInput, MissingDatasetPathNamesThePath) {
  const auto result = run("", "", scratch / "no-such-file.jsonl");
  expect_clean_failure(result, out(), "no-such-file.jsonl");
}

TEST_F(BaselineBadInput, EmptyDatasetNamesTheFile) {
  write_text_file(scratch / "empty.jsonl", "");
  const auto result = run("", "", scratch / "empty.jsonl");
  expect_clean_failure(result, out(), "empty.jsonl");
}

TEST_F(BaselineBadInput, MissingTextColumnNamesTheColumn) {
  const auto result = run("data:\n  text_column: review_body\n");
  expect_clean_failure(result, out(), "review_body");
}

TEST_F(BaselineBadInput, LabelOutsideNumLabelsNamesLineAndLabel) {
  std::ifstream in(scratch / "toy.jsonl");
  std::string contents((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  write_text_file(scratch / "labels.jsonl", contents + "{\"text\": \"an odd one\", \"label\": 7}\n");
  const auto result = run("", "", scratch / "labels.jsonl");
  expect_clean_failure(result, out(), "labels.jsonl: line 241");
}

TEST_F(BaselineBadInput, UnknownTruncationNamesTheKeyAndTheChoices) {
  const auto result = run("data:\n  truncation: middle\n");
  expect_clean_failure(result, out(), "data.truncation is 'middle'; use head (HF's default), tail or head_tail");
}

// Checked at start-up: the error is the language's, before the (here missing) dataset is read.
TEST_F(BaselineBadInput, UnknownChartLanguageFailsBeforeAnyWork) {
  const auto result = run("", "", scratch / "no-such-file.jsonl", "TPQ_CHART_LANG=fr ");
  expect_clean_failure(result, out(), "TPQ_CHART_LANG=fr");
}

// 01 trains data-parallel under torchrun / srun / mpirun: a rank whose job never forms stops
// within run.dist_timeout, naming it, and a malformed launch variable is named before any work.
TEST_F(BaselineBadInput, ARankWhoseJobNeverFormsStopsWithinTheTimeout) {
  const auto start = std::chrono::steady_clock::now();
  const auto result = run("run:\n  dist_timeout: 2\n", "", {},
                          "RANK=1 WORLD_SIZE=2 MASTER_PORT=" + std::to_string(tpq::testing::free_port()) + " ");
  expect_clean_failure(result, out(), "rank 1 of 2 (torchrun");
  expect_clean_failure(result, out(), "could not join the job within 2 s (run.dist_timeout)");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
  expect_clean_failure(run("", "", {}, "RANK=0 WORLD_SIZE=x "), out(), "WORLD_SIZE=x is not a whole number");
}

TEST_F(BaselineBadInput, CudaWithoutCudaNamesTheFlag) {
  if (torch::cuda::is_available()) GTEST_SKIP() << "this LibTorch has CUDA";
  const auto result = run("", "--device cuda");
  expect_clean_failure(result, out(), "--device cuda");
}

// `tpq predict` on a copy of the HF fixture with one thing broken.
class PredictBadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto fixture = tpq::testing::find_fixture("tiny-bert-a");
    TPQ_SKIP_UNLESS(!fixture.empty(), "fixture tiny-bert-a not found under " << tpq::testing::fixtures_root());
    fs::copy(fixture, scratch / "model");
    std::string lines;
    for (int i = 0; i < 40; ++i) lines += "{\"text\": \"the film number " + std::to_string(i) + " was fine\"}\n";
    write_text_file(scratch / "in.jsonl", lines);
  }
  CommandResult predict(const std::string& prefix = "", const std::string& extra = "") {
    return run_command(prefix + "exec " + tpq::testing::cli_path() + " --log-level warn predict --model " +
                       (scratch / "model").string() + " --input " + (scratch / "in.jsonl").string() + " --output " +
                       (scratch / "out" / "pred.jsonl").string() + " " + extra);
  }
  void set_header_length(uint64_t length) {
    std::fstream file(scratch / "model" / "model.safetensors", std::ios::in | std::ios::out | std::ios::binary);
    for (int i = 0; i < 8; ++i) file.put(static_cast<char>((length >> (8 * i)) & 0xff));
  }

  ScratchDir scratch;
};

TEST_F(PredictBadInput, HeaderLengthPastTheFileNamesTheFile) {
  fs::create_directories(scratch / "out");
  set_header_length(uint64_t{1} << 24);
  expect_clean_failure(predict(), scratch / "out", "model.safetensors: header length");
}

TEST_F(PredictBadInput, OversizedHeaderLengthIsRefusedBeforeAllocating) {
  fs::create_directories(scratch / "out");
  set_header_length(uint64_t{1} << 62);
  expect_clean_failure(predict(), scratch / "out", "exceeds the 100 MB limit");
}

TEST_F(PredictBadInput, TensorShapeMismatchNamesTheTensor) {
  fs::create_directories(scratch / "out");
  auto config = tpq::testing::read_json_file(scratch / "model" / "config.json");
  config["intermediate_size"] = 96;
  fs::remove(scratch / "model" / "config.json");
  write_text_file(scratch / "model" / "config.json", config.dump(2));
  expect_clean_failure(predict(), scratch / "out", "intermediate.dense.weight");
}

TEST_F(PredictBadInput, CudaWithoutCudaNamesTheFlag) {
  if (torch::cuda::is_available()) GTEST_SKIP() << "this LibTorch has CUDA";
  fs::create_directories(scratch / "out");
  expect_clean_failure(predict("", "--device cuda"), scratch / "out", "--device cuda");
}

TEST_F(PredictBadInput, FileSizeLimitKeepsTheOldOutputAndLeavesNoTempFile) {
  // RLIMIT_FSIZE stands in for a full disk: writes past 1 KiB fail with EFBIG (SIGXFSZ ignored).
  fs::create_directories(scratch / "out");
  write_text_file(scratch / "out" / "pred.jsonl", "old predictions\n");
  const auto result = predict("trap '' XFSZ; ulimit -f 2; ");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_EQ(count_lines_with(result.output, "error:"), 1u) << result.output;
  EXPECT_NE(result.output.find("pred.jsonl"), std::string::npos) << result.output;
  EXPECT_EQ(tpq::testing::list_files(scratch / "out"), std::vector<std::string>{"pred.jsonl"});
  std::ifstream in(scratch / "out" / "pred.jsonl");
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "old predictions");
}

}  // namespace
