// Where the Hugging Face Hub and its cache are, read from the environment exactly as Python's
// huggingface_hub reads it, so that tpq and transformers share one cache and one token.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace tpq::hub {

// How downloads report progress: a redrawn bar on a terminal, log lines otherwise.
enum class ProgressStyle { automatic, bar, lines, none };

// Retries, back-off and timeouts of every request. Defaults follow huggingface_hub (10 s without a
// byte is a timeout); tests shorten them.
struct TransferPolicy {
  int max_attempts = 6;              // per request, counting the first; progress resets the count
  double initial_backoff_s = 0.5;    // doubled after each failed attempt ...
  double max_backoff_s = 8.0;        // ... up to this
  long connect_timeout_s = 10;
  long stall_timeout_s = 10;         // no byte received for this long: the attempt failed
  int max_redirects = 10;            // more hops than this is a redirect loop
};

struct HubOptions {
  std::string endpoint = "https://huggingface.co";  // HF_ENDPOINT, without a trailing '/'
  std::filesystem::path cache_dir;                  // the hub cache (holds models--*, datasets--*)
  std::string token;                                // empty: none. Never logged.
  std::string token_source;                         // where the token came from, for messages
  bool offline = false;                             // HF_HUB_OFFLINE: never touch the network
  std::string ca_bundle;                            // CURL_CA_BUNDLE / REQUESTS_CA_BUNDLE, else system CAs
  ProgressStyle progress = ProgressStyle::automatic;
  TransferPolicy transfer;

  // Reads, in huggingface_hub's order of precedence:
  //   cache:    HF_HUB_CACHE, HUGGINGFACE_HUB_CACHE, $HF_HOME/hub, $XDG_CACHE_HOME/huggingface/hub,
  //             ~/.cache/huggingface/hub
  //   token:    HF_TOKEN, HUGGING_FACE_HUB_TOKEN, the file HF_TOKEN_PATH or $HF_HOME/token
  //   endpoint: HF_ENDPOINT;  offline: HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE (1/ON/YES/TRUE)
  // `getenv` is the lookup (tests pass their own); UserError on an unusable HF_ENDPOINT.
  using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
  static HubOptions from_environment(const EnvLookup& getenv = {});
};

}  // namespace tpq::hub
