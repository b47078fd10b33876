// Access to ../shared/fixtures (HF-made reference checkpoints) and scratch directories for tests.
// A missing fixture (or tool, data set, privilege) skips the test with a clear message, or fails it
// when TPQ_REQUIRE_FIXTURES=1 (CI): a test CI cannot run is a test that does not exist.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tpq/core/shell.h"

namespace tpq::testing {

// Root of the fixtures: $TPQ_FIXTURES_DIR, else ../shared/fixtures beside the source tree.
std::filesystem::path fixtures_root();

// Path to fixture `name` if present, else empty.
std::filesystem::path find_fixture(const std::string& name);

// TPQ_REQUIRE_FIXTURES=1 (CI): everything a test needs must be there; skips become failures.
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
// The first line of a text file (a CSV's header), "" if it cannot be read.
std::string first_line(const std::filesystem::path& path);
// The names in a directory, sorted.
std::vector<std::string> entries_in(const std::filesystem::path& directory);

// Runs a shell command, returns its exit status and combined stdout+stderr (tpq::run_shell).
using CommandResult = tpq::ShellResult;
inline CommandResult run_command(const std::string& command) { return tpq::run_shell(command); }

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

// Skips the current test with `reason` when `available` is false, or fails it under
// TPQ_REQUIRE_FIXTURES=1 (CI). Usable in a test body or a fixture's SetUp.
#define TPQ_SKIP_UNLESS(available, reason)                                                          \
  if (!(available)) {                                                                               \
    if (::tpq::testing::fixtures_required()) {                                                      \
      FAIL() << reason << " (TPQ_REQUIRE_FIXTURES=1: CI must run every test)";                     \
    }                                                                                               \
    GTEST_SKIP() << reason;                                                                         \
  }
