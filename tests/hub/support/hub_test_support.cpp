#include "hub/support/hub_test_support.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace tpq::testing {

void HubTest::SetUp() {
  // Requests to 127.0.0.1 must not go through a proxy a CI machine may set.
  ::setenv("no_proxy", "127.0.0.1,localhost", 1);
  ::setenv("NO_PROXY", "127.0.0.1,localhost", 1);
  TPQ_REQUIRE_FIXTURE(dir, "tiny-bert-a");
  fixture_ = dir;
  hub_ = std::make_unique<HubStandIn>();
  commit_ = hub_->add_repo(kTinyRepo, fixture_);
}

hub::HubOptions HubTest::options() const {
  hub::HubOptions options;
  options.endpoint = hub_->endpoint();
  options.cache_dir = cache_dir();
  options.progress = hub::ProgressStyle::none;
  options.transfer.initial_backoff_s = 0.05;
  options.transfer.max_backoff_s = 0.2;
  options.transfer.stall_timeout_s = 3;
  options.transfer.connect_timeout_s = 3;
  return options;
}

std::string HubTest::cli_environment() const {
  return "env -u HF_TOKEN -u HUGGING_FACE_HUB_TOKEN -u HF_HUB_OFFLINE -u HF_HOME HF_ENDPOINT=" + hub_->endpoint() +
         " HF_HUB_CACHE='" + cache_dir().string() + "' no_proxy=127.0.0.1 NO_PROXY=127.0.0.1 ";
}

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

std::vector<std::string> directory_names(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  std::error_code error;
  for (std::filesystem::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    names.push_back(it->path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace tpq::testing
