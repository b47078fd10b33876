// Access to ../shared/fixtures (HF-made reference checkpoints) and scratch directories for tests.
// A missing fixture skips the test with a clear message, or fails it when TPQ_REQUIRE_FIXTURES=1 (CI).
#pragma once

#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace tpq::testing {

// Root of the fixtures: $TPQ_FIXTURES_DIR, else ../shared/fixtures beside the source tree.
std::filesystem::path fixtures_root();

// Path to fixture `name` if present, else empty.
std::filesystem::path find_fixture(const std::string& name);

bool fixtures_required();

nlohmann::json read_json_file(const std::filesystem::path& path);

// A fresh, empty directory under the system temp dir, removed when the object dies.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Writes text to a file (creating parent directories) for building bad-input cases.
void write_text_file(const std::filesystem::path& path, const std::string& text);

// Runs a shell command, returns its exit status and combined stdout+stderr.
struct CommandResult {
  int exit_code = -1;
  std::string output;
};
CommandResult run_command(const std::string& command);

// Path of the built `tpq` CLI (from $TPQ_CLI, set by ctest).
std::string cli_path();

}  // namespace tpq::testing

// Declares `fixture_dir` (a std::filesystem::path) or skips/fails the current test.
#define TPQ_REQUIRE_FIXTURE(fixture_dir, name)                                                     \
  const std::filesystem::path fixture_dir = ::tpq::testing::find_fixture(name);                    \
  if (fixture_dir.empty()) {                                                                       \
    if (::tpq::testing::fixtures_required()) {                                                     \
      FAIL() << "fixture '" << (name) << "' not found under " << ::tpq::testing::fixtures_root()   \
             << " and TPQ_REQUIRE_FIXTURES=1";                                                     \
    }                                                                                              \
    GTEST_SKIP() << "fixture '" << (name) << "' not found under " << ::tpq::testing::fixtures_root() \
                 << " (needs ../shared/fixtures beside the checkout, or TPQ_FIXTURES_DIR)";        \
  }
