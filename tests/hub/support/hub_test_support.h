// Shared set-up of the hub tests: the Hub stand-in serving the tiny-bert-a fixture as
// "tpq-test/tiny-bert-a", a scratch cache, and HubOptions pointing at both with short retries.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "hub/support/hub_stand_in.h"
#include "tpq/hub/hub_options.h"

namespace tpq::testing {

inline constexpr const char* kTinyRepo = "tpq-test/tiny-bert-a";
// The files of tiny-bert-a that make its checkpoint (reference.json is served but not fetched).
inline const std::vector<std::string> kTinyCheckpointFiles = {"config.json", "model.safetensors", "tokenizer.json",
                                                              "tokenizer_config.json", "vocab.txt"};

class HubTest : public ::testing::Test {
 protected:
  void SetUp() override;

  // Options for the stand-in and the scratch cache: no progress bar, 50 ms back-off, 3 s stalls.
  hub::HubOptions options() const;
  std::filesystem::path cache_dir() const { return scratch_ / "hub"; }
  std::filesystem::path repo_dir() const { return cache_dir() / "models--tpq-test--tiny-bert-a"; }
  // Environment prefix for running the CLI against the stand-in and the scratch cache.
  std::string cli_environment() const;

  std::filesystem::path fixture_;
  ScratchDir scratch_;
  std::unique_ptr<HubStandIn> hub_;
  std::string commit_;
};

// The bytes of a file ("" if it cannot be read).
std::string file_bytes(const std::filesystem::path& path);

// Names of the entries of a directory, sorted ("" entries for a missing directory).
std::vector<std::string> directory_names(const std::filesystem::path& dir);

}  // namespace tpq::testing
