// resolve_model / fetch_model: a local directory, else a complete cached snapshot, else the Hub.
#include <spdlog/spdlog.h>

#include "hub_errors.h"
#include "model_files.h"
#include "snapshot_fetcher.h"
#include "tpq/core/error.h"
#include "tpq/hub/resolve.h"

namespace tpq::hub {
namespace {

namespace fs = std::filesystem;

// The cached snapshot of the revision if it holds a whole checkpoint; *missing says why not.
std::optional<ResolvedRepo> cached_model(const RepoRef& repo, const HubOptions& options, std::string* missing) {
  const RepoCache cache(options.cache_dir, repo);
  const auto commit = cache.cached_commit(repo.revision);
  if (!commit) {
    *missing = "no refs/" + repo.revision + " there";
    return std::nullopt;
  }
  if (!model_snapshot_complete(cache, *commit, missing)) return std::nullopt;
  return resolved_snapshot(repo, cache, *commit, RepoSource::cache, model_files_present(cache, *commit));
}

ResolvedRepo fetch_model_ref(const RepoRef& repo, const HubOptions& options) {
  std::string missing;
  if (options.offline) {
    if (auto cached = cached_model(repo, options, &missing)) return *cached;
    throw_not_cached(repo, (options.cache_dir / repo_folder_name(repo)).string(), missing, "HF_HUB_OFFLINE is set");
  }
  create_cache_directories(options.cache_dir);
  HttpSession session(options);
  SnapshotFetcher fetcher(session, options, repo);
  auto files = fetch_model_files(fetcher);
  const RepoSource source = fetcher.downloaded_anything() ? RepoSource::download : RepoSource::cache;
  spdlog::info("{} at {} (commit {}) is in {}", describe(repo), repo.revision, fetcher.commit(),
               fetcher.snapshot_dir().string());
  return resolved_snapshot(repo, fetcher.cache(), fetcher.commit(), source, std::move(files));
}

}  // namespace

nlohmann::json ResolvedRepo::to_json() const {
  const char* source_name = source == RepoSource::local_directory ? "local_directory"
                            : source == RepoSource::cache         ? "cache"
                                                                  : "download";
  return {{"id", id}, {"revision", revision}, {"commit", commit}, {"source", source_name},
          {"dir", dir.string()}, {"files", files}};
}

bool looks_like_hub_id(const std::string& text) {
  if (text.empty() || text.front() == '/' || text.front() == '.' || text.front() == '~') return false;
  if (text.find('\\') != std::string::npos) return false;
  return is_valid_repo_id(text.substr(0, text.find('@')));
}

ResolvedRepo resolve_model(const std::string& dir_or_id, const HubOptions& options) {
  std::error_code error;
  if (fs::is_directory(dir_or_id, error)) {
    ResolvedRepo local;
    local.id = dir_or_id;
    local.dir = dir_or_id;
    local.source = RepoSource::local_directory;
    return local;
  }
  require(!fs::exists(dir_or_id, error),
          "'" + dir_or_id + "' is a file: give the checkpoint directory that holds it, or a Hub id");
  require(looks_like_hub_id(dir_or_id), "model directory '" + dir_or_id + "' does not exist (nor is it a Hub id)");
  const RepoRef repo = parse_repo_ref(dir_or_id, RepoType::model);
  std::string missing;
  if (auto cached = cached_model(repo, options, &missing)) {
    spdlog::info("{} at {}: using the cached snapshot {}", describe(repo), repo.revision, cached->dir.string());
    return *cached;
  }
  try {
    return fetch_model_ref(repo, options);
  } catch (const UserError& error) {
    // "results/baseline" is a valid Hub id too: say that no such local directory exists either.
    throw UserError("'" + dir_or_id + "' is no local directory; as a Hub id: " + error.what());
  }
}

ResolvedRepo fetch_model(const std::string& id, const HubOptions& options) {
  return fetch_model_ref(parse_repo_ref(id, RepoType::model), options);
}

}  // namespace tpq::hub
