// One repo's folder in the Hugging Face cache, laid out exactly as huggingface_hub lays it out:
//   {cache}/models--org--name/refs/{revision}          the commit hash, no newline
//                             blobs/{etag}              file contents (LFS: etag = sha256)
//                             snapshots/{commit}/{file} -> ../../blobs/{etag} (relative symlink)
//                             .no_exist/{commit}/{file} empty marker: the Hub said 404 for it
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "repo_ref.h"
#include "tpq/hub/resolve.h"

namespace tpq::hub {

class RepoCache {
 public:
  RepoCache(const std::filesystem::path& cache_dir, const RepoRef& repo);

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path blob_path(const std::string& etag) const;
  std::filesystem::path incomplete_path(const std::string& etag) const;  // {blob}.incomplete
  std::filesystem::path lock_path(const std::string& etag) const;        // {blob}.lock
  std::filesystem::path snapshot_dir(const std::string& commit) const;
  std::filesystem::path pointer_path(const std::string& commit, const std::string& file) const;

  // The commit a revision maps to without the network: the revision itself if it is a commit hash,
  // else the content of refs/{revision}; nullopt if neither.
  std::optional<std::string> cached_commit(const std::string& revision) const;
  // Records refs/{revision} = commit (nothing for a commit hash; unchanged content is not rewritten).
  void write_ref(const std::string& revision, const std::string& commit) const;

  // The snapshot entry exists and leads to a readable regular file.
  bool has_file(const std::string& commit, const std::string& file) const;
  bool known_missing(const std::string& commit, const std::string& file) const;
  void mark_missing(const std::string& commit, const std::string& file) const;

  // snapshots/{commit}/{file} -> relative path to blobs/{etag}, created atomically (a temp link
  // renamed over the final name), so a reader sees no link or a whole one.
  void link(const std::string& commit, const std::string& file, const std::string& etag) const;

 private:
  std::filesystem::path root_;
};

// The result for files of snapshots/{commit}: what resolve_model and resolve_dataset return.
ResolvedRepo resolved_snapshot(const RepoRef& repo, const RepoCache& cache, const std::string& commit,
                               RepoSource source, std::vector<std::string> files);

// Creates a directory and its parents; UserError naming it (and saying which variable moves it).
void create_cache_directories(const std::filesystem::path& dir);

}  // namespace tpq::hub
