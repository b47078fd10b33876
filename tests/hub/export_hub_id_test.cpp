// `tpq export --model ORG/NAME`: a Hub id is fetched into the HF cache (here from the local stand-in
// that speaks the Hub's file protocol) and exported like a directory, tokenizer files included.
#include <filesystem>

#include <gtest/gtest.h>

#include "hub/support/hub_test_support.h"

namespace {

namespace fs = std::filesystem;
using tpq::testing::HubTest;
using tpq::testing::kTinyRepo;
using tpq::testing::run_command;

class ExportHubId : public HubTest {};

TEST_F(ExportHubId, ExportsTheModelItDownloads) {
  const auto onnx = scratch_ / "deploy" / "model.onnx";
  const auto result = run_command(cli_environment() + " " + tpq::testing::cli_path() + " export --model " + std::string(kTinyRepo) +
                                  " --format onnx --output " + onnx.string());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_GT(fs::file_size(onnx), fs::file_size(fixture_ / "model.safetensors") / 2);
  EXPECT_TRUE(fs::exists(repo_dir() / "snapshots" / commit_ / "model.safetensors"));
  for (const char* name : {"config.json", "vocab.txt"}) EXPECT_TRUE(fs::exists(onnx.parent_path() / name)) << name;
  const auto absent = run_command(cli_environment() + " " + tpq::testing::cli_path() + " export --model tpq-test/absent --output " +
                                  (scratch_ / "absent" / "model.onnx").string());
  EXPECT_EQ(absent.exit_code, 2);
  EXPECT_NE(absent.output.find("is no local directory; as a Hub id: model 'tpq-test/absent' not found on"), std::string::npos) << absent.output;
  EXPECT_FALSE(fs::exists(scratch_ / "absent"));
}

}  // namespace
