// Fetches files of one Hub repo, at one commit, into the cache. The first HEAD pins the commit that
// the revision names now; every later file is asked for at that commit, so a branch that moves
// meanwhile cannot mix two versions. Blobs are downloaded under a lock and verified as they are
// asked for; the snapshot links appear only in link_all(), once every file is there, so a failed or
// corrupted download leaves nothing new in snapshots/.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "blob_download.h"
#include "http_session.h"
#include "repo_cache.h"
#include "repo_ref.h"
#include "tpq/hub/hub_options.h"

namespace tpq::hub {

class SnapshotFetcher {
 public:
  SnapshotFetcher(HttpSession& session, const HubOptions& options, RepoRef repo);

  // HEAD of the file. A missing file (404 EntryNotFound) is nullopt and marked in .no_exist when
  // optional, a UserError otherwise; other failures are UserErrors.
  std::optional<RemoteFile> locate(const std::string& file, bool optional);
  // The file's blob in the cache, downloaded if absent. Returns the blob's path.
  std::filesystem::path fetch(const RemoteFile& file);
  // locate() then fetch(); nullopt for a missing optional file.
  std::optional<std::filesystem::path> fetch_file(const std::string& file, bool optional);
  // Creates snapshots/{commit}/{file} for every fetched file.
  void link_all();
  // Fixes the commit (and records refs/{revision}) before any locate(), e.g. from a file listing.
  void pin_commit(const std::string& commit);

  const RepoRef& repo() const { return repo_; }
  const RepoCache& cache() const { return cache_; }
  const std::string& commit() const { return commit_; }  // empty before the first locate()
  std::filesystem::path snapshot_dir() const { return cache_.snapshot_dir(commit_); }
  const std::vector<std::string>& fetched_files() const { return fetched_names_; }
  bool downloaded_anything() const { return downloaded_anything_; }

 private:
  RemoteFile describe_remote(const std::string& file, const HttpResponse& response, const std::string& url) const;

  HttpSession& session_;
  const HubOptions& options_;
  RepoRef repo_;
  RepoCache cache_;
  std::string commit_;
  std::vector<std::string> fetched_names_;
  std::vector<std::pair<std::string, std::string>> links_;  // (file, etag)
  bool downloaded_anything_ = false;
};

}  // namespace tpq::hub
