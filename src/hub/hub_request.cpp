// Token scoping, retries with back-off, and redirect chains.
#include "hub_request.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include <spdlog/spdlog.h>

#include "tpq/core/error.h"

namespace tpq::hub {

std::vector<std::string> request_headers(const std::string& url, const HubOptions& options) {
  std::vector<std::string> headers = {"Accept-Encoding: identity"};
  if (!options.token.empty() && url_origin(url) == url_origin(options.endpoint)) {
    headers.push_back("Authorization: Bearer " + options.token);
  }
  return headers;
}

bool is_retryable_status(long status) { return status == 429 || status >= 500; }

bool Backoff::record_failure(bool made_progress) {
  if (made_progress) failures_ = 0;
  ++failures_;
  return failures_ < policy_.max_attempts;
}

double Backoff::delay_s() const {
  const int doublings = std::min(std::max(failures_ - 1, 0), 20);
  return std::min(policy_.max_backoff_s, policy_.initial_backoff_s * double(1 << doublings));
}

void Backoff::wait() const { std::this_thread::sleep_for(std::chrono::duration<double>(delay_s())); }

HttpResponse with_retries(const std::function<HttpResponse()>& attempt, const HubOptions& options) {
  Backoff backoff(options.transfer);
  while (true) {
    std::string failure;
    try {
      HttpResponse response = attempt();
      if (!is_retryable_status(response.status)) return response;
      if (!backoff.record_failure(false)) return response;  // the caller reports the status
      failure = options.endpoint + " answered " + std::to_string(response.status);
    } catch (const TransportError& error) {
      if (!error.retryable()) throw UserError(error.what());
      if (!backoff.record_failure(false)) {
        throw UserError(std::string(error.what()) + " (gave up after " +
                        std::to_string(options.transfer.max_attempts) + " attempts; check the network or proxy)");
      }
      failure = error.what();
    }
    spdlog::warn("{} (attempt {} of {}); retrying in {:.1f} s", failure, backoff.failures(),
                 options.transfer.max_attempts, backoff.delay_s());
    backoff.wait();
  }
}

RedirectChain::RedirectChain(std::string first_url, int max_redirects) : max_redirects_(max_redirects) {
  seen_.insert(std::move(first_url));
}

void RedirectChain::follow(const std::string& next_url) {
  ++hops_;
  const bool repeated = !seen_.insert(next_url).second;
  if (repeated || hops_ > max_redirects_) {
    throw UserError("redirect loop: " + url_for_messages(next_url) + (repeated ? " was reached twice" : "") +
                    " after " + std::to_string(hops_) + " redirects; the server or a proxy is misconfigured");
  }
  if (next_url.rfind("http://", 0) != 0 && next_url.rfind("https://", 0) != 0) {
    throw UserError("refusing a redirect to '" + url_for_messages(next_url) + "': only http(s) is followed");
  }
}

HttpResponse head_resolve(HttpSession& session, const std::string& url, const HubOptions& options,
                          std::string* final_url) {
  std::string current = url;
  RedirectChain chain(url, options.transfer.max_redirects);
  while (true) {
    HttpResponse response = with_retries([&] { return session.head(current, request_headers(current, options)); },
                                         options);
    const std::string location = response.header("location");
    const bool relative = !location.empty() && location.find("://") == std::string::npos;
    if (response.status < 300 || response.status >= 400 || !relative || response.redirect_url.empty()) {
      *final_url = current;
      return response;
    }
    chain.follow(response.redirect_url);
    current = response.redirect_url;
  }
}

}  // namespace tpq::hub
