// Loading HF checkpoint directories: every way a directory can be wrong gives a named error.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "support/fixtures.h"
#include "tpq/core/error.h"
#include "tpq/checkpoint/checkpoint.h"
#include "tpq/io/safetensors.h"

namespace {

namespace fs = std::filesystem;

// A writable copy of the fixture checkpoint.
fs::path copy_fixture(const fs::path& fixture, const fs::path& destination) {
  fs::create_directories(destination);
  for (const char* name : {"config.json", "model.safetensors", "vocab.txt"}) fs::copy_file(fixture / name, destination / name);
  return destination;
}

std::string load_error(const fs::path& dir) {
  try {
    tpq::checkpoint::load_checkpoint(dir);
  } catch (const tpq::UserError& error) {
    return error.what();
  }
  return "";
}

TEST(Checkpoint, MissingDirectoryAndFilesAreNamed) {
  tpq::testing::ScratchDir scratch;
  EXPECT_NE(load_error(scratch / "nope").find("no such model directory"), std::string::npos);
  fs::create_directories(scratch / "empty");
  EXPECT_NE(load_error(scratch / "empty").find("config.json"), std::string::npos);
}

TEST(Checkpoint, TruncatedSafetensorsIsANamedError) {
  TPQ_REQUIRE_FIXTURE(fixture, "tiny-bert-a");
  tpq::testing::ScratchDir scratch;
  const auto dir = copy_fixture(fixture, scratch / "model");
  fs::resize_file(dir / "model.safetensors", fs::file_size(dir / "model.safetensors") / 2);
  const auto message = load_error(dir);
  EXPECT_NE(message.find("model.safetensors"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << "one line: " << message;
}

TEST(Checkpoint, ConfigThatDisagreesWithWeightsNamesTheTensor) {
  TPQ_REQUIRE_FIXTURE(fixture, "tiny-bert-a");
  tpq::testing::ScratchDir scratch;
  const auto dir = copy_fixture(fixture, scratch / "model");
  auto config = tpq::testing::read_json_file(dir / "config.json");
  config["intermediate_size"] = 96;
  tpq::testing::write_text_file(dir / "config.json", config.dump());
  const auto message = load_error(dir);
  EXPECT_NE(message.find("intermediate.dense.weight"), std::string::npos) << message;
  EXPECT_NE(message.find("[128, 64]"), std::string::npos) << message;
}

TEST(Checkpoint, MissingAndUnexpectedTensorsAreListed) {
  TPQ_REQUIRE_FIXTURE(fixture, "tiny-bert-a");
  tpq::testing::ScratchDir scratch;
  const auto dir = copy_fixture(fixture, scratch / "model");
  auto tensors = tpq::io::SafetensorsFile::open(dir / "model.safetensors").all_tensors();
  tensors.erase("bert.pooler.dense.bias");
  tensors["bert.encoder.layer.7.extra"] = torch::zeros({2});
  std::vector<std::pair<std::string, torch::Tensor>> list(tensors.begin(), tensors.end());
  tpq::io::save_safetensors(dir / "model.safetensors", list);
  EXPECT_NE(load_error(dir).find("bert.encoder.layer.7.extra"), std::string::npos);
  tensors.erase("bert.encoder.layer.7.extra");
  tpq::io::save_safetensors(dir / "model.safetensors", {tensors.begin(), tensors.end()});
  EXPECT_NE(load_error(dir).find("bert.pooler.dense.bias"), std::string::npos);
}

TEST(Checkpoint, FreshClassifierOnlyWhenAllowed) {
  TPQ_REQUIRE_FIXTURE(fixture, "tiny-bert-a");
  tpq::testing::ScratchDir scratch;
  const auto dir = copy_fixture(fixture, scratch / "model");
  auto tensors = tpq::io::SafetensorsFile::open(dir / "model.safetensors").all_tensors();
  tensors.erase("classifier.weight");
  tensors.erase("classifier.bias");
  tensors["cls.predictions.bias"] = torch::zeros({4});  // an MLM head, as pre-trained checkpoints carry
  tpq::io::save_safetensors(dir / "model.safetensors", {tensors.begin(), tensors.end()});
  EXPECT_NE(load_error(dir).find("classifier.weight"), std::string::npos);
  tpq::checkpoint::LoadOptions options;
  options.allow_fresh_classifier = true;
  const auto checkpoint = tpq::checkpoint::load_checkpoint(dir, options);
  EXPECT_EQ(checkpoint.freshly_initialised.size(), 2u);
  EXPECT_EQ(checkpoint.ignored, std::vector<std::string>{"cls.predictions.bias"});
}

TEST(Checkpoint, SaveReplacesAnExistingCheckpointWhole) {
  TPQ_REQUIRE_FIXTURE(fixture, "tiny-bert-a");
  tpq::testing::ScratchDir scratch;
  auto checkpoint = tpq::checkpoint::load_checkpoint(fixture);
  const auto target = scratch / "saved";
  tpq::testing::write_text_file(target / "stale.txt", "from an older run");
  tpq::checkpoint::save_checkpoint(target, *checkpoint.model, checkpoint.tokenizer.get());
  EXPECT_FALSE(fs::exists(target / "stale.txt"));
  EXPECT_TRUE(fs::exists(target / "vocab.txt"));
  for (const auto& entry : fs::directory_iterator(scratch.path())) {
    EXPECT_EQ(entry.path().filename(), "saved") << "left behind: " << entry.path();
  }
  EXPECT_GT(tpq::checkpoint::directory_bytes(target), fs::file_size(target / "model.safetensors"));
}

}  // namespace

// transformers writes model.safetensors.index.json + shards for large models: split tiny-bert-a in
// three and check that every parameter loads bit for bit, and that an index naming a tensor its
// shard lacks (an interrupted download) is a named error.
TEST(Checkpoint, ShardedSafetensorsLoadTheSameWeights) {
  TPQ_REQUIRE_FIXTURE(fixture, "tiny-bert-a");
  tpq::testing::ScratchDir scratch;
  const fs::path dir = scratch / "sharded";
  fs::create_directories(dir);
  for (const char* name : {"config.json", "vocab.txt"}) fs::copy_file(fixture / name, dir / name);
  const auto tensors = tpq::io::SafetensorsFile::open(fixture / "model.safetensors").all_tensors();
  std::vector<std::vector<std::pair<std::string, torch::Tensor>>> shards(3);
  nlohmann::json index = {{"metadata", {{"total_size", 0}}}, {"weight_map", nlohmann::json::object()}};
  std::size_t i = 0;
  for (const auto& [name, tensor] : tensors) {
    const std::size_t shard = i++ % shards.size();
    shards[shard].emplace_back(name, tensor);
    index["weight_map"][name] = "model-0000" + std::to_string(shard + 1) + "-of-00003.safetensors";
  }
  for (std::size_t s = 0; s < shards.size(); ++s) {
    tpq::io::save_safetensors(dir / ("model-0000" + std::to_string(s + 1) + "-of-00003.safetensors"), shards[s], {{"format", "pt"}});
  }
  std::ofstream(dir / "model.safetensors.index.json") << index.dump(2);

  const auto whole = tpq::checkpoint::load_checkpoint(fixture);
  const auto sharded = tpq::checkpoint::load_checkpoint(dir);
  const auto expected = whole.model->named_parameters();
  const auto loaded = sharded.model->named_parameters();
  ASSERT_EQ(loaded.size(), expected.size());
  for (const auto& item : expected) EXPECT_TRUE(torch::equal(loaded[item.key()], item.value())) << item.key();

  const std::string first = tensors.begin()->first;
  index["weight_map"][first] = "model-00002-of-00003.safetensors";  // listed in a shard that lacks it
  std::ofstream(dir / "model.safetensors.index.json") << index.dump(2);
  EXPECT_NE(load_error(dir).find("not listed for this shard"), std::string::npos) << load_error(dir);
}
