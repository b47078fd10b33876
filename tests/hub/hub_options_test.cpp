// HubOptions read from the environment in huggingface_hub's order of precedence.
#include <map>

#include <gtest/gtest.h>

#include "support/user_error_matchers.h"
#include "support/fixtures.h"
#include "tpq/hub/hub_options.h"

namespace {

using tpq::hub::HubOptions;

HubOptions read(const std::map<std::string, std::string>& variables) {
  return HubOptions::from_environment([&](const std::string& name) -> std::optional<std::string> {
    const auto found = variables.find(name);
    if (found == variables.end()) return std::nullopt;
    return found->second;
  });
}

TEST(HubOptions, DefaultsAreThoseOfHuggingfaceHub) {
  const auto options = read({{"HOME", "/home/u"}});
  EXPECT_EQ(options.endpoint, "https://huggingface.co");
  EXPECT_EQ(options.cache_dir, "/home/u/.cache/huggingface/hub");
  EXPECT_TRUE(options.token.empty());
  EXPECT_FALSE(options.offline);
}

TEST(HubOptions, TheCacheFollowsHfHubCacheThenHfHomeThenXdg) {
  EXPECT_EQ(read({{"HOME", "/h"}, {"XDG_CACHE_HOME", "/xdg"}}).cache_dir, "/xdg/huggingface/hub");
  EXPECT_EQ(read({{"HOME", "/h"}, {"XDG_CACHE_HOME", "/xdg"}, {"HF_HOME", "/hf"}}).cache_dir, "/hf/hub");
  EXPECT_EQ(read({{"HF_HOME", "/hf"}, {"HUGGINGFACE_HUB_CACHE", "/old"}}).cache_dir, "/old");
  EXPECT_EQ(read({{"HF_HOME", "/hf"}, {"HUGGINGFACE_HUB_CACHE", "/old"}, {"HF_HUB_CACHE", "/new"}}).cache_dir, "/new");
  EXPECT_EQ(read({{"HOME", "/h"}, {"HF_HOME", "~/hf"}}).cache_dir, "/h/hf/hub");
  EXPECT_EQ(read({{"HOME", "/h"}, {"HF_HOME", ""}}).cache_dir, "/h/.cache/huggingface/hub");  // empty = unset
}

TEST(HubOptions, TheTokenComesFromHfTokenThenTheTokenFile) {
  tpq::testing::ScratchDir home;
  tpq::testing::write_text_file(home / "token", "hf_from_file\n");
  const auto from_file = read({{"HF_HOME", home.path().string()}});
  EXPECT_EQ(from_file.token, "hf_from_file");
  EXPECT_NE(from_file.token_source.find((home / "token").string()), std::string::npos);
  EXPECT_EQ(read({{"HF_HOME", home.path().string()}, {"HUGGING_FACE_HUB_TOKEN", "hf_old"}}).token, "hf_old");
  const auto from_env = read({{"HF_HOME", home.path().string()}, {"HUGGING_FACE_HUB_TOKEN", "hf_old"}, {"HF_TOKEN", "hf_new"}});
  EXPECT_EQ(from_env.token, "hf_new");
  EXPECT_EQ(from_env.token_source.find("hf_new"), std::string::npos);  // the source never holds the token
}

TEST(HubOptions, OfflineAcceptsPythonsTrueValues) {
  for (const char* value : {"1", "ON", "yes", "True"}) EXPECT_TRUE(read({{"HF_HUB_OFFLINE", value}}).offline) << value;
  for (const char* value : {"0", "", "off", "no"}) EXPECT_FALSE(read({{"HF_HUB_OFFLINE", value}}).offline) << value;
  EXPECT_TRUE(read({{"TRANSFORMERS_OFFLINE", "1"}}).offline);
}

TEST(HubOptions, TheEndpointIsOverriddenAndChecked) {
  EXPECT_EQ(read({{"HF_ENDPOINT", "http://127.0.0.1:8080/"}}).endpoint, "http://127.0.0.1:8080");
  TPQ_EXPECT_USER_ERROR(read({{"HF_ENDPOINT", "hf-mirror.com"}}), "HF_ENDPOINT", "not an http(s) URL");
}

}  // namespace
