// Requests with the Hub's rules: the token goes to the Hub's own host only, timeouts, dropped
// connections, 429 and 5xx are retried with exponential back-off, and redirects are followed by hand
// (relative ones for a renamed repo; at most TransferPolicy::max_redirects, and never in a circle).
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "http_session.h"
#include "tpq/hub/hub_options.h"

namespace tpq::hub {

// Accept-Encoding: identity (sizes must be the file's), plus "Authorization: Bearer" when `url` is
// on the endpoint's scheme, host and port and a token is set.
std::vector<std::string> request_headers(const std::string& url, const HubOptions& options);

// True for answers worth retrying: 429 and 5xx.
bool is_retryable_status(long status);

// Counts failed attempts and sleeps between them (0.5 s, 1 s, 2 s, ... capped).
class Backoff {
 public:
  explicit Backoff(const TransferPolicy& policy) : policy_(policy) {}
  // Records a failed attempt; false when none is left. made_progress (bytes arrived before the
  // failure) starts the count afresh.
  bool record_failure(bool made_progress);
  double delay_s() const;  // before the next attempt
  void wait() const;
  int failures() const { return failures_; }

 private:
  const TransferPolicy& policy_;
  int failures_ = 0;
};

// Runs `attempt` until it answers something other than 429/5xx or a retryable TransportError, at
// most max_attempts times. A TransportError that outlives the retries becomes a UserError.
HttpResponse with_retries(const std::function<HttpResponse()>& attempt, const HubOptions& options);

// Remembers the URLs of one request chain; a repeated URL or too many hops is a UserError.
class RedirectChain {
 public:
  RedirectChain(std::string first_url, int max_redirects);
  void follow(const std::string& next_url);

 private:
  std::set<std::string> seen_;
  int hops_ = 0;
  int max_redirects_;
};

// HEAD of a resolve URL as huggingface_hub sends it: relative redirects (a renamed repo) are followed
// on the same host; an absolute one (LFS storage) is returned for the caller. *final_url is the URL
// that gave the answer.
HttpResponse head_resolve(HttpSession& session, const std::string& url, const HubOptions& options,
                          std::string* final_url);

}  // namespace tpq::hub
