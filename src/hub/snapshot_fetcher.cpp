// HEAD, lock, download, verify, rename, and (at the end) link: huggingface_hub's hf_hub_download
// sequence, with the links deferred until the whole set of files is in.
#include "snapshot_fetcher.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <spdlog/spdlog.h>

#include "file_lock.h"
#include "hub_errors.h"
#include "hub_request.h"
#include "tpq/core/error.h"
#include "tpq/io/atomic_file.h"

namespace tpq::hub {
namespace {

namespace fs = std::filesystem;

// huggingface_hub's _normalize_etag: ETag: W/"<value>" or "<value>" -> <value>.
std::string normalize_etag(std::string etag) {
  if (etag.rfind("W/", 0) == 0) etag.erase(0, 2);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return etag;
}

bool is_sha256(const std::string& text) {
  if (text.size() != 64) return false;
  for (unsigned char c : text) {
    if (!std::isxdigit(c) || std::isupper(c)) return false;
  }
  return true;
}

std::optional<std::uint64_t> parse_size(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stoull(text);
}

}  // namespace

SnapshotFetcher::SnapshotFetcher(HttpSession& session, const HubOptions& options, RepoRef repo)
    : session_(session), options_(options), repo_(std::move(repo)), cache_(options.cache_dir, repo_) {}

void SnapshotFetcher::pin_commit(const std::string& commit) {
  if (!commit_.empty()) {
    require(commit == commit_, describe(repo_) + ": the Hub answered commit " + commit + " while asked for " + commit_);
    return;
  }
  commit_ = commit;
  cache_.write_ref(repo_.revision, commit_);
}

RemoteFile SnapshotFetcher::describe_remote(const std::string& file, const HttpResponse& response,
                                            const std::string& url) const {
  RemoteFile remote;
  remote.name = file;
  remote.commit = response.header("x-repo-commit");
  const std::string linked_etag = response.header("x-linked-etag");
  remote.etag = normalize_etag(linked_etag.empty() ? response.header("etag") : linked_etag);
  remote.size = parse_size(response.header(linked_etag.empty() ? "content-length" : "x-linked-size"));
  remote.lfs = !linked_etag.empty() && is_sha256(remote.etag);
  const bool redirected = response.status >= 300 && response.status < 400 && !response.redirect_url.empty();
  remote.download_url = redirected ? response.redirect_url : url;
  const std::string from = "'" + file + "' of " + describe(repo_) + " from " + options_.endpoint;
  require(is_commit_hash(remote.commit), from + " has no X-Repo-Commit header: HF_ENDPOINT does not look like a "
                                                "Hugging Face Hub (or a proxy strips headers)");
  const bool safe_name = !remote.etag.empty() && remote.etag.find_first_of("/\\") == std::string::npos &&
                         remote.etag != "." && remote.etag != "..";
  require(safe_name, from + " has no usable ETag ('" + remote.etag + "'), so it cannot be cached reliably");
  return remote;
}

std::optional<RemoteFile> SnapshotFetcher::locate(const std::string& file, bool optional) {
  require(!options_.offline, "HF_HUB_OFFLINE is set: not asking " + options_.endpoint + " for " + describe(repo_));
  const std::string& revision = commit_.empty() ? repo_.revision : commit_;
  std::string final_url;
  const HttpResponse response = head_resolve(session_, resolve_url(options_.endpoint, repo_, revision, file),
                                             options_, &final_url);
  const RequestContext context{repo_, repo_.revision, file, options_};
  if (is_missing_file(response)) {
    const std::string commit = response.header("x-repo-commit");
    if (is_commit_hash(commit)) {
      pin_commit(commit);
      cache_.mark_missing(commit, file);  // as huggingface_hub does: later lookups know it is absent
    }
    if (optional) return std::nullopt;
  }
  if (response.status >= 400 || response.status < 200) throw_for_status(response, context);
  RemoteFile remote = describe_remote(file, response, final_url);
  pin_commit(remote.commit);
  return remote;
}

fs::path SnapshotFetcher::fetch(const RemoteFile& file) {
  fetched_names_.push_back(file.name);
  if (cache_.has_file(commit_, file.name)) return cache_.pointer_path(commit_, file.name);
  const fs::path blob = cache_.blob_path(file.etag);
  create_cache_directories(blob.parent_path());
  links_.emplace_back(file.name, file.etag);
  std::error_code error;
  if (fs::is_regular_file(blob, error)) return blob;
  FileLock lock(cache_.lock_path(file.etag), [&] {
    spdlog::info("another process is downloading '{}' of {}; waiting for it (lock {})", file.name, describe(repo_),
                 cache_.lock_path(file.etag).string());
  });
  if (fs::is_regular_file(blob, error)) return blob;  // it finished while we waited
  const fs::path incomplete = cache_.incomplete_path(file.etag);
  download_blob(session_, file, incomplete, describe(repo_), options_);
  if (std::rename(incomplete.c_str(), blob.c_str()) != 0) {
    throw UserError("cannot move " + incomplete.string() + " into place: " + std::strerror(errno));
  }
  io::sync_directory(blob.parent_path());
  downloaded_anything_ = true;
  return blob;
}

std::optional<fs::path> SnapshotFetcher::fetch_file(const std::string& file, bool optional) {
  const auto remote = locate(file, optional);
  if (!remote) return std::nullopt;
  return fetch(*remote);
}

void SnapshotFetcher::link_all() {
  require(!commit_.empty(), describe(repo_) + ": nothing was fetched");
  create_cache_directories(snapshot_dir());
  for (const auto& [file, etag] : links_) cache_.link(commit_, file, etag);
  links_.clear();
}

}  // namespace tpq::hub
