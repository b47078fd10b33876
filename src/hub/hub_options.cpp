// HubOptions from the environment, in huggingface_hub's order of precedence (constants.py and
// utils/_hf_folder.py of huggingface_hub 0.16, plus the HF_HUB_CACHE / HF_TOKEN names of later ones).
#include "tpq/hub/hub_options.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tpq/core/error.h"

namespace tpq::hub {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> system_getenv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

// An unset and an empty variable mean the same, as in Python's `os.getenv(...) or default`.
std::optional<std::string> non_empty(const HubOptions::EnvLookup& getenv, const std::string& name) {
  auto value = getenv(name);
  if (!value || value->empty()) return std::nullopt;
  return value;
}

fs::path expand_user(const std::string& path, const HubOptions::EnvLookup& getenv) {
  if (path.empty() || path[0] != '~') return path;
  const auto home = non_empty(getenv, "HOME").value_or("/");
  return fs::path(home) / path.substr(path.size() > 1 && path[1] == '/' ? 2 : 1);
}

std::string trimmed(std::string text) {
  const auto is_space = [](unsigned char c) { return std::isspace(c) != 0; };
  text.erase(text.begin(), std::find_if_not(text.begin(), text.end(), is_space));
  text.erase(std::find_if_not(text.rbegin(), text.rend(), is_space).base(), text.end());
  return text;
}

bool is_true(const std::optional<std::string>& value) {
  if (!value) return false;
  std::string upper = *value;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  return upper == "1" || upper == "ON" || upper == "YES" || upper == "TRUE";
}

fs::path hf_home(const HubOptions::EnvLookup& getenv) {
  if (auto home = non_empty(getenv, "HF_HOME")) return expand_user(*home, getenv);
  const auto xdg = non_empty(getenv, "XDG_CACHE_HOME");
  const fs::path cache_home = xdg ? expand_user(*xdg, getenv) : expand_user("~/.cache", getenv);
  return cache_home / "huggingface";
}

fs::path hub_cache(const HubOptions::EnvLookup& getenv) {
  for (const char* name : {"HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"}) {
    if (auto value = non_empty(getenv, name)) return expand_user(*value, getenv);
  }
  return hf_home(getenv) / "hub";
}

void read_token(const HubOptions::EnvLookup& getenv, HubOptions& options) {
  for (const char* name : {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"}) {
    if (auto value = non_empty(getenv, name)) {
      options.token = trimmed(*value);
      options.token_source = std::string("the ") + name + " environment variable";
      return;
    }
  }
  const auto path_override = non_empty(getenv, "HF_TOKEN_PATH");
  const fs::path path = path_override ? expand_user(*path_override, getenv) : hf_home(getenv) / "token";
  std::ifstream in(path);
  if (!in) return;
  std::ostringstream text;
  text << in.rdbuf();
  options.token = trimmed(text.str());
  if (!options.token.empty()) options.token_source = "the token file " + path.string();
}

std::string checked_endpoint(std::string endpoint) {
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  const bool http = endpoint.rfind("http://", 0) == 0 || endpoint.rfind("https://", 0) == 0;
  require(http && endpoint.find_first_of(" \t\r\n") == std::string::npos,
          "HF_ENDPOINT='" + endpoint + "' is not an http(s) URL (e.g. https://huggingface.co); fix or unset it");
  return endpoint;
}

}  // namespace

HubOptions HubOptions::from_environment(const EnvLookup& lookup) {
  const EnvLookup getenv = lookup ? lookup : EnvLookup(system_getenv);
  HubOptions options;
  if (auto endpoint = non_empty(getenv, "HF_ENDPOINT")) options.endpoint = checked_endpoint(*endpoint);
  options.cache_dir = hub_cache(getenv);
  read_token(getenv, options);
  options.offline = is_true(getenv("HF_HUB_OFFLINE")) || is_true(getenv("TRANSFORMERS_OFFLINE"));
  for (const char* name : {"CURL_CA_BUNDLE", "REQUESTS_CA_BUNDLE"}) {
    if (auto value = non_empty(getenv, name)) {
      options.ca_bundle = *value;
      break;
    }
  }
  if (is_true(getenv("HF_HUB_DISABLE_PROGRESS_BARS"))) options.progress = ProgressStyle::lines;
  return options;
}

}  // namespace tpq::hub
