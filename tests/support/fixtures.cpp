#include "support/fixtures.h"

#include <algorithm>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>

#include "test_paths.h"

namespace tpq::testing {

std::filesystem::path fixtures_root() {
  if (const char* override_dir = std::getenv("TPQ_FIXTURES_DIR")) return override_dir;
  return TPQ_DEFAULT_FIXTURES_DIR;
}

std::filesystem::path find_fixture(const std::string& name) {
  const auto path = fixtures_root() / name;
  return std::filesystem::is_directory(path) ? path : std::filesystem::path();
}

bool fixtures_required() {
  const char* value = std::getenv("TPQ_REQUIRE_FIXTURES");
  return value != nullptr && std::string(value) == "1";
}

nlohmann::json read_json_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  return nlohmann::json::parse(in);
}

ScratchDir::ScratchDir() {
  std::random_device random;
  const auto base = std::filesystem::temp_directory_path();
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto candidate = base / ("tpq-test-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
    if (std::filesystem::create_directory(candidate)) {
      path_ = candidate;
      return;
    }
  }
  throw std::runtime_error("cannot create a scratch directory under " + base.string());
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void write_text_file(const std::filesystem::path& path, const std::string& text) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::string first_line(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

std::vector<std::string> entries_in(const std::filesystem::path& directory) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string cli_path() {
  const char* path = std::getenv("TPQ_CLI");
  return path != nullptr ? path : "tpq";
}

}  // namespace tpq::testing
