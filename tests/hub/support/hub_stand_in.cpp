// The Hub stand-in on Debian's cpp-httplib: a "hub" server (resolve/, api/, errors) and an "lfs"
// server (content by sha256, with Range), sharing one table of repos and one fault plan.
#include "hub/support/hub_stand_in.h"

#include <fcntl.h>
#include <unistd.h>

#include <httplib.h>
#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <stdexcept>
#include <thread>

namespace tpq::testing {
namespace {

namespace fs = std::filesystem;

std::string hex(const unsigned char* bytes, unsigned int size) {
  static const char* digits = "0123456789abcdef";
  std::string text;
  for (unsigned int i = 0; i < size; ++i) {
    text += digits[bytes[i] >> 4];
    text += digits[bytes[i] & 15];
  }
  return text;
}

// Digest of `prefix` followed by the file's bytes (git blob ids hash "blob <size>\0" first).
std::string digest_file(const EVP_MD* type, const std::string& prefix, const fs::path& path) {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  EVP_DigestInit_ex(context, type, nullptr);
  EVP_DigestUpdate(context, prefix.data(), prefix.size());
  std::ifstream in(path, std::ios::binary);
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    EVP_DigestUpdate(context, buffer.data(), static_cast<size_t>(in.gcount()));
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(context, digest, &length);
  EVP_MD_CTX_free(context);
  return hex(digest, length);
}

std::string sha1_text(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha1(), nullptr);
  return hex(digest, length);
}

bool has_suffix(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

struct ServedFile {
  fs::path path;         // on disk
  std::uint64_t size = 0;
  bool lfs = false;
  std::string git_oid;   // ETag of a regular file (and of an LFS pointer, here simply the same)
  std::string sha256;    // LFS files
};

struct Repo {
  bool dataset = false;
  StandInRepoOptions options;
  std::string commit;
  std::set<std::string> refs;  // names that resolve to the commit
  std::map<std::string, ServedFile> files;
};

std::string url_decode(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

std::string sha256_file_hex(const fs::path& path) { return digest_file(EVP_sha256(), "", path); }

std::string git_blob_id_hex(const fs::path& path) {
  return digest_file(EVP_sha1(), "blob " + std::to_string(fs::file_size(path)) + std::string(1, '\0'), path);
}

struct HubStandIn::State {
  httplib::Server hub, lfs;
  std::thread hub_thread, lfs_thread;
  int hub_port = 0, lfs_port = 0;
  std::atomic<bool> stopped{false};
  fs::path scratch;  // files of extra_files

  mutable std::mutex mutex;  // guards everything below
  std::map<std::string, Repo> repos;  // "model:org/name" / "dataset:org/name"
  std::map<std::string, std::string> renames;
  std::map<std::string, const ServedFile*> by_sha;
  std::string token;
  std::map<std::string, std::uint64_t> drops;  // file name -> bytes before the connection closes
  std::set<std::string> corrupted, looping;
  int failures_left = 0, failure_status = 503;
  bool range_ignored = false;
  std::uint64_t bytes_per_second = 0;
  std::vector<StandInRequest> log;

  void record(const std::string& server, const httplib::Request& request, const httplib::Response& response) {
    std::lock_guard<std::mutex> lock(mutex);
    log.push_back({server, request.method, request.path, request.get_header_value("Authorization"),
                   request.get_header_value("Range"), response.status});
  }
  void serve_resolve(const httplib::Request& request, const std::string& path, httplib::Response& response);
  void serve_api(const httplib::Request& request, httplib::Response& response);
  void serve_lfs(const httplib::Request& request, httplib::Response& response);
  // The repo of a request path, or nullptr after writing the error answer.
  const Repo* find_repo(bool dataset, const std::string& id, httplib::Response& response);
  bool resolve_revision(const Repo& repo, const std::string& revision, httplib::Response& response);
};

namespace {

void error_answer(httplib::Response& response, int status, const std::string& code, const std::string& message) {
  response.status = status;
  if (!code.empty()) response.set_header("X-Error-Code", code);
  response.set_header("X-Error-Message", message);
  response.set_content(message, "text/plain");
}

}  // namespace

const Repo* HubStandIn::State::find_repo(bool dataset, const std::string& id, httplib::Response& response) {
  const auto found = repos.find((dataset ? "dataset:" : "model:") + id);
  if (found == repos.end()) {
    error_answer(response, 404, "RepoNotFound", "Repository not found");
    return nullptr;
  }
  return &found->second;
}

bool HubStandIn::State::resolve_revision(const Repo& repo, const std::string& revision, httplib::Response& response) {
  if (revision == repo.commit || repo.refs.count(revision) > 0) return true;
  error_answer(response, 404, "RevisionNotFound", "Invalid rev id: " + revision);
  return false;
}

void HubStandIn::State::serve_resolve(const httplib::Request& request, const std::string& path,
                                      httplib::Response& response) {
  static const std::regex pattern(R"(^/(datasets/)?(.+?)/resolve/([^/]+)/(.+)$)");
  std::smatch match;
  if (!std::regex_match(path, match, pattern)) return error_answer(response, 404, "", "Not found");
  const bool dataset = match[1].matched;
  const std::string id = match[2], revision = url_decode(match[3]), file = url_decode(match[4]);
  std::lock_guard<std::mutex> lock(mutex);
  if (failures_left > 0) {
    --failures_left;
    return error_answer(response, failure_status, "", "Service unavailable (stand-in fault)");
  }
  if (const auto rename = renames.find(id); rename != renames.end()) {
    response.status = 307;
    response.set_header("Location", (dataset ? "/datasets/" : "/") + rename->second + "/resolve/" +
                                        std::string(match[3]) + "/" + std::string(match[4]));
    return;
  }
  const Repo* repo = find_repo(dataset, id, response);
  if (repo == nullptr) return;
  const bool authorized = !token.empty() && request.get_header_value("Authorization") == "Bearer " + token;
  if (repo->options.gated && !authorized) {
    return error_answer(response, 403, "GatedRepo", "Access to this model is restricted");
  }
  if (repo->options.private_repo && !authorized) {
    return error_answer(response, 401, "RepoNotFound", "Invalid credentials in Authorization header");
  }
  if (!resolve_revision(*repo, revision, response)) return;
  response.set_header("X-Repo-Commit", repo->commit);
  const auto served = repo->files.find(file);
  if (served == repo->files.end()) return error_answer(response, 404, "EntryNotFound", file + " does not exist");
  const ServedFile& entry = served->second;
  response.set_header("ETag", "\"" + entry.git_oid + "\"");
  if (entry.lfs) {
    response.set_header("X-Linked-Etag", "\"" + entry.sha256 + "\"");
    response.set_header("X-Linked-Size", std::to_string(entry.size));
    const std::string target = looping.count(file) ? "/loop/a" : "/lfs/" + entry.sha256 + "?X-Amz-Signature=stand-in";
    response.set_redirect("http://127.0.0.1:" + std::to_string(lfs_port) + target, 302);
    return;
  }
  std::ifstream in(entry.path, std::ios::binary);
  response.set_content(std::string(std::istreambuf_iterator<char>(in), {}), "application/octet-stream");
}

void HubStandIn::State::serve_api(const httplib::Request& request, httplib::Response& response) {
  static const std::regex pattern(R"(^/api/(models|datasets)/(.+?)/revision/([^/]+)$)");
  std::smatch match;
  const std::string path = request.path;
  if (!std::regex_match(path, match, pattern)) return error_answer(response, 404, "", "Not found");
  std::lock_guard<std::mutex> lock(mutex);
  const Repo* repo = find_repo(match[1] == "datasets", match[2], response);
  if (repo == nullptr || !resolve_revision(*repo, url_decode(match[3]), response)) return;
  std::string siblings;
  for (const auto& [name, entry] : repo->files) {
    siblings += std::string(siblings.empty() ? "" : ",") + "{\"rfilename\":\"" + name + "\"}";
  }
  response.set_content("{\"id\":\"" + std::string(match[2]) + "\",\"sha\":\"" + repo->commit + "\",\"siblings\":[" +
                           siblings + "]}",
                       "application/json");
}

void HubStandIn::State::serve_lfs(const httplib::Request& request, httplib::Response& response) {
  const std::string sha = request.path.substr(std::string("/lfs/").size());
  std::unique_lock<std::mutex> lock(mutex);
  const auto found = by_sha.find(sha);
  if (found == by_sha.end()) return error_answer(response, 404, "", "no such object");
  const ServedFile entry = *found->second;
  const std::string name = entry.path.filename().string();
  std::uint64_t drop_after = ~0ULL;
  if (const auto drop = drops.find(name); drop != drops.end()) {
    drop_after = drop->second;
    drops.erase(drop);
  }
  const bool corrupt = corrupted.count(name) > 0;
  const std::uint64_t rate = bytes_per_second;
  if (range_ignored) const_cast<httplib::Request&>(request).ranges.clear();
  lock.unlock();
  // Counted from the first byte this answer sends, whatever its Range.
  auto sent = std::make_shared<std::uint64_t>(0);
  response.set_content_provider(
      entry.size, "application/octet-stream",
      [entry, drop_after, corrupt, rate, sent](size_t offset, size_t length, httplib::DataSink& sink) {
        std::vector<char> buffer(std::min<size_t>(length, 256 * 1024));
        const int fd = ::open(entry.path.c_str(), O_RDONLY | O_CLOEXEC);
        const ssize_t got = ::pread(fd, buffer.data(), buffer.size(), static_cast<off_t>(offset));
        ::close(fd);
        if (got <= 0) return false;
        size_t count = static_cast<size_t>(got);
        if (*sent + count > drop_after) count = static_cast<size_t>(drop_after - *sent);
        if (corrupt && offset <= entry.size / 2 && entry.size / 2 < offset + count) buffer[entry.size / 2 - offset] ^= 0x5a;
        if (count > 0 && !sink.write(buffer.data(), count)) return false;
        *sent += count;
        if (rate > 0) std::this_thread::sleep_for(std::chrono::microseconds(count * 1000000 / rate));
        return *sent < drop_after;  // false: the connection closes mid-body
      });
}

HubStandIn::HubStandIn() : state_(std::make_unique<State>()) {
  State& state = *state_;
  // Requests are recorded as they are answered (a body cut short still counts).
  state.hub.Get(R"(/api/.*)", [&state](const httplib::Request& request, httplib::Response& response) {
    state.serve_api(request, response);
    state.record("hub", request, response);
  });
  state.hub.Get(R"(/.*)", [&state](const httplib::Request& request, httplib::Response& response) {
    state.serve_resolve(request, request.path, response);
    state.record("hub", request, response);
  });
  // "GET http://host/path" (absolute form): the client was told to use this server as its HTTP proxy.
  state.hub.Get(R"(http://[^/]+(/.*))", [&state](const httplib::Request& request, httplib::Response& response) {
    state.serve_resolve(request, request.matches[1], response);
    state.record("hub", request, response);
  });
  state.lfs.Get(R"(/lfs/[0-9a-f]+)", [&state](const httplib::Request& request, httplib::Response& response) {
    state.serve_lfs(request, response);
    state.record("lfs", request, response);
  });
  state.lfs.Get(R"(/loop/(a|b))", [&state](const httplib::Request& request, httplib::Response& response) {
    response.set_redirect(request.path == "/loop/a" ? "/loop/b" : "/loop/a", 302);
    state.record("lfs", request, response);
  });
  state.hub_port = state.hub.bind_to_any_port("127.0.0.1");
  state.lfs_port = state.lfs.bind_to_any_port("127.0.0.1");
  if (state.hub_port <= 0 || state.lfs_port <= 0) throw std::runtime_error("stand-in: cannot bind 127.0.0.1");
  state.hub_thread = std::thread([&state] { state.hub.listen_after_bind(); });
  state.lfs_thread = std::thread([&state] { state.lfs.listen_after_bind(); });
  char pattern[] = "/tmp/tpq-hub-stand-in-XXXXXX";
  state.scratch = ::mkdtemp(pattern);
}

HubStandIn::~HubStandIn() {
  stop();
  std::error_code ignored;
  fs::remove_all(state_->scratch, ignored);
}

void HubStandIn::stop() {
  if (state_->stopped.exchange(true)) return;
  state_->hub.stop();
  state_->lfs.stop();
  state_->hub_thread.join();
  state_->lfs_thread.join();
}

std::string HubStandIn::add_repo(const std::string& id, const fs::path& dir, const StandInRepoOptions& options) {
  Repo repo;
  repo.dataset = options.dataset;
  repo.options = options;
  std::vector<fs::path> paths;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const auto name = entry.path().filename().string();
    const bool skipped = std::count(options.skip_files.begin(), options.skip_files.end(), name) > 0;
    if (entry.is_regular_file() && !skipped) paths.push_back(entry.path());
  }
  const fs::path extra_dir = state_->scratch / (std::to_string(state_->repos.size()));
  for (const auto& [name, content] : options.extra_files) {
    fs::create_directories((extra_dir / name).parent_path());
    std::ofstream(extra_dir / name, std::ios::binary) << content;
    paths.push_back(extra_dir / name);
  }
  std::string listing;
  for (const auto& path : paths) {
    ServedFile file;
    file.path = path;
    file.size = fs::file_size(path);
    const auto name = path.filename().string();
    file.lfs = file.size >= options.lfs_min_bytes || has_suffix(name, ".safetensors") || has_suffix(name, ".bin") ||
               has_suffix(name, ".parquet");
    file.git_oid = git_blob_id_hex(path);
    if (file.lfs) file.sha256 = sha256_file_hex(path);
    listing += name + ":" + file.git_oid + ";";
    repo.files[name] = file;
  }
  repo.commit = sha1_text((options.dataset ? "dataset:" : "model:") + id + "|" + listing);
  repo.refs = {"main"};
  repo.refs.insert(options.tags.begin(), options.tags.end());
  std::lock_guard<std::mutex> lock(state_->mutex);
  auto& stored = state_->repos[(options.dataset ? "dataset:" : "model:") + id];
  stored = std::move(repo);
  for (const auto& [name, file] : stored.files) {
    if (file.lfs) state_->by_sha[file.sha256] = &file;
  }
  return stored.commit;
}

void HubStandIn::add_rename(const std::string& old_id, const std::string& new_id) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->renames[old_id] = new_id;
}

void HubStandIn::set_token(const std::string& token) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->token = token;
}

std::string HubStandIn::endpoint() const { return "http://127.0.0.1:" + std::to_string(state_->hub_port); }
std::string HubStandIn::lfs_origin() const { return "http://127.0.0.1:" + std::to_string(state_->lfs_port); }

void HubStandIn::drop_connection_once(const std::string& file, std::uint64_t after_bytes) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->drops[file] = after_bytes;
}

void HubStandIn::corrupt(const std::string& file) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->corrupted.insert(file);
}

void HubStandIn::fail_next_requests(int count, int status) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->failures_left = count;
  state_->failure_status = status;
}

void HubStandIn::redirect_in_circles(const std::string& file) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->looping.insert(file);
}

void HubStandIn::ignore_range(bool ignore) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->range_ignored = ignore;
}

void HubStandIn::throttle(std::uint64_t bytes_per_second) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->bytes_per_second = bytes_per_second;
}

std::vector<StandInRequest> HubStandIn::requests() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->log;
}

void HubStandIn::clear_requests() {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->log.clear();
}

}  // namespace tpq::testing
