// `tpq predict` as a user runs it: HF-identical output on the fixture, one-line errors otherwise.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/fixtures.h"
#include "support/reference.h"

namespace {

namespace fs = std::filesystem;
using tpq::testing::run_command;

std::string predict_command(const fs::path& model, const fs::path& input, const fs::path& output,
                            const std::string& extra = "") {
  return tpq::testing::cli_path() + " --log-level warn predict --model '" + model.string() + "' --input '" +
         input.string() + "' --output '" + output.string() + "' " + extra;
}

fs::path write_inputs(const tpq::testing::ScratchDir& scratch, const nlohmann::json& sentences) {
  std::string lines;
  for (const auto& sentence : sentences) lines += nlohmann::json{{"text", sentence}}.dump() + "\n";
  tpq::testing::write_text_file(scratch / "in.jsonl", lines);
  return scratch / "in.jsonl";
}

TEST(PredictCli, ReproducesHuggingFaceOnTheFixture) {
  TPQ_REQUIRE_FIXTURE(dir, "tiny-bert-a");
  const auto ref = tpq::testing::read_json_file(dir / "reference.json");
  tpq::testing::ScratchDir scratch;
  const auto input = write_inputs(scratch, ref["sentences"]);
  const auto result = run_command(predict_command(dir, input, scratch / "out.jsonl", "--max-length 48"));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  std::ifstream out(scratch / "out.jsonl");
  std::string line;
  std::size_t index = 0;
  for (; std::getline(out, line); ++index) {
    const auto record = nlohmann::json::parse(line);
    const auto expected_ids = ref["input_ids"][index].get<std::vector<int64_t>>();
    const auto ids = record["input_ids"].get<std::vector<int64_t>>();
    ASSERT_LE(ids.size(), expected_ids.size());
    EXPECT_TRUE(std::equal(ids.begin(), ids.end(), expected_ids.begin())) << "sentence " << index;
    EXPECT_EQ(record["tokens"].size(), ids.size());
    const auto logits = torch::tensor(record["logits"].get<std::vector<double>>());
    EXPECT_LT(tpq::testing::max_abs_difference(logits, torch::tensor(ref["logits"][index].get<std::vector<double>>())), 1e-4);
    EXPECT_EQ(record["label"].get<int64_t>(), logits.argmax().item<int64_t>());
  }
  EXPECT_EQ(index, ref["sentences"].size());
}

TEST(PredictCli, TextPairsAreSupported) {
  TPQ_REQUIRE_FIXTURE(dir, "tiny-bert-a");
  const auto pair = tpq::testing::read_json_file(dir / "reference.json")["pair"];
  tpq::testing::ScratchDir scratch;
  tpq::testing::write_text_file(scratch / "in.jsonl", nlohmann::json{{"text", pair["a"]}, {"text_pair", pair["b"]}}.dump() + "\n");
  const auto result = run_command(predict_command(dir, scratch / "in.jsonl", scratch / "out.jsonl"));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  std::ifstream out(scratch / "out.jsonl");
  const auto record = nlohmann::json::parse(out);
  const auto logits = torch::tensor(record["logits"].get<std::vector<double>>());
  EXPECT_LT(tpq::testing::max_abs_difference(logits, torch::tensor(pair["logits"][0].get<std::vector<double>>())), 1e-4);
}

// A broken checkpoint: exit code != 0, exactly one error line naming the file, no output file.
void expect_clean_failure(const tpq::testing::CommandResult& result, const fs::path& output, const std::string& must_name) {
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.output.find("tpq: error: "), std::string::npos) << result.output;
  EXPECT_NE(result.output.find(must_name), std::string::npos) << result.output;
  const auto error_lines = std::count(result.output.begin(), result.output.end(), '\n');
  EXPECT_LE(error_lines, 2) << result.output;
  EXPECT_FALSE(fs::exists(output));
}

TEST(PredictCli, CorruptSafetensorsGivesOneLineError) {
  TPQ_REQUIRE_FIXTURE(dir, "tiny-bert-a");
  tpq::testing::ScratchDir scratch;
  fs::copy(dir, scratch / "model");
  fs::resize_file(scratch / "model" / "model.safetensors", 1000);
  const auto input = write_inputs(scratch, nlohmann::json::array({"hello"}));
  const auto result = run_command(predict_command(scratch / "model", input, scratch / "out.jsonl"));
  expect_clean_failure(result, scratch / "out.jsonl", "model.safetensors");
}

TEST(PredictCli, ConfigMissingAKeyGivesOneLineError) {
  TPQ_REQUIRE_FIXTURE(dir, "tiny-bert-a");
  tpq::testing::ScratchDir scratch;
  fs::copy(dir, scratch / "model");
  auto config = tpq::testing::read_json_file(dir / "config.json");
  config.erase("num_attention_heads");
  fs::remove(scratch / "model" / "config.json");
  tpq::testing::write_text_file(scratch / "model" / "config.json", config.dump(2));
  const auto input = write_inputs(scratch, nlohmann::json::array({"hello"}));
  const auto result = run_command(predict_command(scratch / "model", input, scratch / "out.jsonl"));
  expect_clean_failure(result, scratch / "out.jsonl", "num_attention_heads");
  EXPECT_NE(result.output.find("config.json"), std::string::npos);
}

TEST(PredictCli, BadInputLineNamesTheLine) {
  TPQ_REQUIRE_FIXTURE(dir, "tiny-bert-a");
  tpq::testing::ScratchDir scratch;
  tpq::testing::write_text_file(scratch / "in.jsonl", "{\"text\": \"ok\"}\n{\"txt\": \"typo\"}\n");
  const auto result = run_command(predict_command(dir, scratch / "in.jsonl", scratch / "out.jsonl"));
  expect_clean_failure(result, scratch / "out.jsonl", "in.jsonl:2");
}

std::vector<int64_t> predicted_ids(const fs::path& output) {
  std::ifstream out(output);
  return nlohmann::json::parse(out)["input_ids"].get<std::vector<int64_t>>();
}

// A checkpoint trained with data.truncation tail carries it in config.json; predict cuts the same way
// unless --truncation says otherwise.
TEST(PredictCli, UsesTheCheckpointsRecordedTruncation) {
  TPQ_REQUIRE_FIXTURE(dir, "tiny-bert-a");
  tpq::testing::ScratchDir scratch;
  const auto input = write_inputs(scratch, nlohmann::json::array({"the film was long and dull but the ending was great"}));
  ASSERT_EQ(run_command(predict_command(dir, input, scratch / "full.jsonl")).exit_code, 0);
  const auto full = predicted_ids(scratch / "full.jsonl");
  ASSERT_GT(full.size(), 8u);
  fs::copy(dir, scratch / "model");
  auto config = tpq::testing::read_json_file(dir / "config.json");
  config["tpq_truncation"] = {{"keep", "tail"}, {"head_tokens", 0}};
  fs::remove(scratch / "model" / "config.json");
  tpq::testing::write_text_file(scratch / "model" / "config.json", config.dump(2));

  ASSERT_EQ(run_command(predict_command(scratch / "model", input, scratch / "tail.jsonl", "--max-length 8")).exit_code, 0);
  std::vector<int64_t> tail = {full.front()};
  tail.insert(tail.end(), full.end() - 7, full.end());  // the last 6 pieces and [SEP]
  EXPECT_EQ(predicted_ids(scratch / "tail.jsonl"), tail);
  const auto head_run = run_command(
      predict_command(scratch / "model", input, scratch / "head.jsonl", "--max-length 8 --truncation head"));
  ASSERT_EQ(head_run.exit_code, 0) << head_run.output;
  std::vector<int64_t> head(full.begin(), full.begin() + 7);
  head.push_back(full.back());
  EXPECT_EQ(predicted_ids(scratch / "head.jsonl"), head);
  const auto bad = run_command(predict_command(scratch / "model", input, scratch / "bad.jsonl", "--truncation middle"));
  expect_clean_failure(bad, scratch / "bad.jsonl", "--truncation");
}

TEST(PredictCli, MaxLengthBeyondPositionsIsRejected) {
  TPQ_REQUIRE_FIXTURE(dir, "tiny-bert-a");
  tpq::testing::ScratchDir scratch;
  const auto input = write_inputs(scratch, nlohmann::json::array({"hello"}));
  const auto result = run_command(predict_command(dir, input, scratch / "out.jsonl", "--max-length 65"));
  expect_clean_failure(result, scratch / "out.jsonl", "max_position_embeddings");
}

}  // namespace
