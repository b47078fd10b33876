// The cache layout of one repo: refs, blobs, snapshot links and .no_exist markers.
#include "repo_cache.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "tpq/core/error.h"
#include "tpq/io/atomic_file.h"

namespace tpq::hub {
namespace {

namespace fs = std::filesystem;

// File names come from the Hub (index files list shards): none may climb out of the snapshot.
void check_relative_file(const std::string& file) {
  const fs::path path(file);
  bool safe = !file.empty() && path.is_relative();
  for (const auto& part : path) safe = safe && part != ".." && part != ".";
  require(safe, "refusing the repo file name '" + file + "': it must be a relative path inside the repo");
}

}  // namespace

ResolvedRepo resolved_snapshot(const RepoRef& repo, const RepoCache& cache, const std::string& commit,
                               RepoSource source, std::vector<std::string> files) {
  ResolvedRepo resolved;
  resolved.id = repo.id;
  resolved.revision = repo.revision;
  resolved.commit = commit;
  resolved.dir = cache.snapshot_dir(commit);
  resolved.source = source;
  resolved.files = std::move(files);
  return resolved;
}

void create_cache_directories(const fs::path& dir) {
  std::error_code error;
  fs::create_directories(dir, error);
  require(!error, "cannot create the cache directory " + dir.string() + ": " + error.message() +
                      " (set HF_HUB_CACHE or HF_HOME to a writable place)");
}

RepoCache::RepoCache(const fs::path& cache_dir, const RepoRef& repo) : root_(cache_dir / repo_folder_name(repo)) {}

fs::path RepoCache::blob_path(const std::string& etag) const { return root_ / "blobs" / etag; }
fs::path RepoCache::incomplete_path(const std::string& etag) const { return root_ / "blobs" / (etag + ".incomplete"); }
fs::path RepoCache::lock_path(const std::string& etag) const { return root_ / "blobs" / (etag + ".lock"); }
fs::path RepoCache::snapshot_dir(const std::string& commit) const { return root_ / "snapshots" / commit; }

fs::path RepoCache::pointer_path(const std::string& commit, const std::string& file) const {
  check_relative_file(file);
  return snapshot_dir(commit) / file;
}

std::optional<std::string> RepoCache::cached_commit(const std::string& revision) const {
  if (is_commit_hash(revision)) return revision;
  std::ifstream in(root_ / "refs" / revision);
  if (!in) return std::nullopt;
  std::string commit;
  in >> commit;  // Python writes the hash without a newline; tolerate one
  if (!is_commit_hash(commit)) return std::nullopt;
  return commit;
}

void RepoCache::write_ref(const std::string& revision, const std::string& commit) const {
  if (revision == commit || cached_commit(revision) == commit) return;
  const auto path = root_ / "refs" / revision;
  create_cache_directories(path.parent_path());
  io::write_file_atomic(path, commit);
}

bool RepoCache::has_file(const std::string& commit, const std::string& file) const {
  std::error_code error;
  return fs::is_regular_file(pointer_path(commit, file), error);  // follows the link to the blob
}

bool RepoCache::known_missing(const std::string& commit, const std::string& file) const {
  check_relative_file(file);
  std::error_code error;
  return fs::exists(root_ / ".no_exist" / commit / file, error);
}

void RepoCache::mark_missing(const std::string& commit, const std::string& file) const {
  check_relative_file(file);
  const auto marker = root_ / ".no_exist" / commit / file;
  create_cache_directories(marker.parent_path());
  std::ofstream touch(marker, std::ios::app);
}

void RepoCache::link(const std::string& commit, const std::string& file, const std::string& etag) const {
  const auto pointer = pointer_path(commit, file);
  create_cache_directories(pointer.parent_path());
  const auto target = blob_path(etag).lexically_relative(pointer.parent_path());
  const auto temp = pointer.parent_path() / (pointer.filename().string() + ".tmp-link." + std::to_string(::getpid()));
  ::unlink(temp.c_str());
  if (::symlink(target.c_str(), temp.c_str()) != 0 || ::rename(temp.c_str(), pointer.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    throw UserError("cannot create the cache link " + pointer.string() + ": " + std::strerror(error) +
                    " (the cache needs a filesystem with symbolic links)");
  }
}

}  // namespace tpq::hub
