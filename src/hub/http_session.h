// HTTP over libcurl (Debian's libcurl4-openssl-dev): HEAD and streaming GET on one easy handle, so
// connections are reused. TLS verification stays on; proxies come from the usual environment
// variables (libcurl reads http_proxy, https_proxy, no_proxy). No redirect is followed here: the
// caller follows them, because the token must never travel to another host.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "tpq/hub/hub_options.h"

namespace tpq::hub {

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string redirect_url;                    // absolute target of a 3xx, resolved by libcurl
  std::string body;                            // non-2xx and small bodies only, capped at 64 KiB

  std::string header(const std::string& lower_case_name) const;  // "" when absent
};

// The server could not be reached or the transfer broke off (DNS, connect, TLS, timeout, a dropped
// connection). `retryable` is false where trying again cannot help (TLS verification, bad URL).
class TransportError : public std::runtime_error {
 public:
  TransportError(const std::string& message, bool retryable) : std::runtime_error(message), retryable_(retryable) {}
  bool retryable() const { return retryable_; }

 private:
  bool retryable_;
};

// Receives the body of a 2xx GET. begin() sees the status and headers before the first byte;
// an exception thrown by either call aborts the transfer and is rethrown from HttpSession::get.
class BodySink {
 public:
  virtual ~BodySink() = default;
  virtual void begin(const HttpResponse& response) = 0;
  virtual void write(const char* data, std::size_t size) = 0;
};

class HttpSession {
 public:
  explicit HttpSession(const HubOptions& options);
  ~HttpSession();
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  HttpResponse head(const std::string& url, const std::vector<std::string>& headers);
  // A 2xx body goes to `sink`; any other body into HttpResponse::body.
  HttpResponse get(const std::string& url, const std::vector<std::string>& headers, BodySink& sink);
  // A small 2xx body (an API answer) kept in HttpResponse::body, refused past max_bytes.
  HttpResponse get_small(const std::string& url, const std::vector<std::string>& headers, std::size_t max_bytes);

 private:
  HttpResponse perform(const std::string& method, const std::string& url, const std::vector<std::string>& headers,
                       BodySink* sink);

  void* curl_;  // CURL*, kept opaque so no public header needs libcurl
  HubOptions options_;
};

// scheme://host:port of a URL, lower-cased, with the default port made explicit; "" if unparsable.
std::string url_origin(const std::string& url);

// The URL without its query string (signed CDN URLs carry credentials there), for messages.
std::string url_for_messages(const std::string& url);

}  // namespace tpq::hub
