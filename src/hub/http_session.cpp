// libcurl easy-handle wrapper: one request at a time, headers parsed, 2xx bodies streamed to a sink,
// exceptions carried across libcurl's C callbacks and rethrown after curl_easy_perform.
#include "http_session.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <exception>
#include <memory>
#include <mutex>

#include "tpq/build_info.h"

namespace tpq::hub {
namespace {

constexpr std::size_t kMaxErrorBody = 64 * 1024;

CURL* as_curl(void* handle) { return static_cast<CURL*>(handle); }

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::string trim(const std::string& text) {
  const auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t\r\n") - begin + 1);
}

// State shared with libcurl's callbacks during one perform().
struct Exchange {
  CURL* curl = nullptr;
  HttpResponse response;
  BodySink* sink = nullptr;
  bool began = false;
  std::exception_ptr failure;
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto& exchange = *static_cast<Exchange*>(user);
  const std::string line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) {
    exchange.response.headers.clear();  // a new response (after 100 Continue or a proxy's CONNECT)
  } else if (const auto colon = line.find(':'); colon != std::string::npos) {
    exchange.response.headers[lower(trim(line.substr(0, colon)))] = trim(line.substr(colon + 1));
  }
  return size * count;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto& exchange = *static_cast<Exchange*>(user);
  const size_t bytes = size * count;
  long status = 0;
  curl_easy_getinfo(exchange.curl, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status >= 300 || exchange.sink == nullptr) {
    auto& body = exchange.response.body;
    body.append(data, std::min(bytes, kMaxErrorBody - std::min(kMaxErrorBody, body.size())));
    return bytes;
  }
  try {
    if (!exchange.began) {
      exchange.response.status = status;
      exchange.sink->begin(exchange.response);
      exchange.began = true;
    }
    exchange.sink->write(data, bytes);
    return bytes;
  } catch (...) {
    exchange.failure = std::current_exception();
    return 0;  // any count other than `bytes` makes libcurl abort with CURLE_WRITE_ERROR
  }
}

bool is_retryable(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
      return true;
    default:
      return false;
  }
}

std::string transport_hint(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
      return " (no network here? HF_HUB_OFFLINE=1 uses only the cache; HF_ENDPOINT points at a mirror)";
    case CURLE_COULDNT_RESOLVE_PROXY:
      return " (check the https_proxy / http_proxy environment variables)";
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
      return " (TLS verification stays on; behind an inspecting proxy set CURL_CA_BUNDLE to its CA file)";
    default:
      return "";
  }
}

void init_libcurl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct HeaderList {
  curl_slist* list = nullptr;
  ~HeaderList() { curl_slist_free_all(list); }
};

}  // namespace

std::string HttpResponse::header(const std::string& lower_case_name) const {
  const auto found = headers.find(lower_case_name);
  return found == headers.end() ? std::string() : found->second;
}

HttpSession::HttpSession(const HubOptions& options) : curl_(nullptr), options_(options) {
  init_libcurl_once();
  curl_ = curl_easy_init();
  if (curl_ == nullptr) throw std::runtime_error("curl_easy_init failed");
}

HttpSession::~HttpSession() { curl_easy_cleanup(as_curl(curl_)); }

HttpResponse HttpSession::perform(const std::string& method, const std::string& url,
                                  const std::vector<std::string>& headers, BodySink* sink) {
  CURL* curl = as_curl(curl_);
  curl_easy_reset(curl);  // keeps live connections and the DNS cache
  Exchange exchange;
  exchange.curl = curl;
  exchange.sink = sink;
  HeaderList header_list;
  for (const auto& header : headers) header_list.list = curl_slist_append(header_list.list, header.c_str());
  char error_text[CURL_ERROR_SIZE] = {0};
  const std::string user_agent = std::string("tpq/") + TPQ_VERSION_STRING + "; " + curl_version();

  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOBODY, method == "HEAD" ? 1L : 0L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list.list);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, options_.transfer.connect_timeout_s);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, options_.transfer.stall_timeout_s);
  curl_easy_setopt(curl, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
  if (!options_.ca_bundle.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_bundle.c_str());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &exchange);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &exchange);

  const CURLcode code = curl_easy_perform(curl);
  if (exchange.failure) std::rethrow_exception(exchange.failure);
  if (code != CURLE_OK) {
    const std::string detail = error_text[0] != '\0' ? error_text : curl_easy_strerror(code);
    throw TransportError(method + " " + url_for_messages(url) + ": " + detail + transport_hint(code),
                         is_retryable(code));
  }
  auto& response = exchange.response;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  char* redirect = nullptr;
  if (curl_easy_getinfo(curl, CURLINFO_REDIRECT_URL, &redirect) == CURLE_OK && redirect != nullptr) {
    response.redirect_url = redirect;
  }
  // An empty 2xx body (a zero-byte file) still tells the sink the transfer started.
  if (sink != nullptr && !exchange.began && response.status >= 200 && response.status < 300) sink->begin(response);
  return response;
}

HttpResponse HttpSession::head(const std::string& url, const std::vector<std::string>& headers) {
  return perform("HEAD", url, headers, nullptr);
}

HttpResponse HttpSession::get(const std::string& url, const std::vector<std::string>& headers, BodySink& sink) {
  return perform("GET", url, headers, &sink);
}

HttpResponse HttpSession::get_small(const std::string& url, const std::vector<std::string>& headers,
                                    std::size_t max_bytes) {
  struct Capture : BodySink {
    std::string body;
    std::size_t max_bytes = 0;
    std::string url;
    void begin(const HttpResponse&) override {}
    void write(const char* data, std::size_t size) override {
      if (body.size() + size > max_bytes) {
        throw TransportError("GET " + url + ": answer larger than " + std::to_string(max_bytes) + " bytes", false);
      }
      body.append(data, size);
    }
  } capture;
  capture.max_bytes = max_bytes;
  capture.url = url_for_messages(url);
  auto response = perform("GET", url, headers, &capture);
  if (response.status >= 200 && response.status < 300) response.body = std::move(capture.body);
  return response;
}

std::string url_origin(const std::string& url) {
  std::unique_ptr<CURLU, void (*)(CURLU*)> handle(curl_url(), curl_url_cleanup);
  if (!handle || curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return "";
  char* scheme = nullptr;
  char* host = nullptr;
  char* port = nullptr;
  std::string origin;
  if (curl_url_get(handle.get(), CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
      curl_url_get(handle.get(), CURLUPART_HOST, &host, 0) == CURLUE_OK &&
      curl_url_get(handle.get(), CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
    origin = lower(scheme) + "://" + lower(host) + ":" + port;
  }
  curl_free(scheme);
  curl_free(host);
  curl_free(port);
  return origin;
}

std::string url_for_messages(const std::string& url) { return url.substr(0, url.find('?')); }

}  // namespace tpq::hub
