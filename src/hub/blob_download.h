// Streams one file from the Hub into blobs/{etag}.incomplete: resumes with Range after a dropped
// connection (or a previous run), checks the size and, for LFS files, the sha256 while the bytes
// arrive, and fsyncs. Nothing is held whole in memory and nothing is read twice within one run.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "http_session.h"
#include "tpq/hub/hub_options.h"

namespace tpq::hub {

// What the Hub's HEAD said about a file.
struct RemoteFile {
  std::string name;                   // path in the repo
  std::string commit;                 // X-Repo-Commit
  std::string etag;                   // the blob's name: X-Linked-Etag (LFS: sha256) or ETag
  std::optional<std::uint64_t> size;  // X-Linked-Size or Content-Length
  bool lfs = false;                   // the etag is the sha256 of the content
  std::string download_url;           // the resolve URL, or where an LFS file redirects to
};

// Fills `incomplete` with the file (keeping what a previous run left there), verifies it and
// returns once it is complete and synced. A size or sha256 mismatch removes the partial file and
// is a UserError, as are disk full, a redirect loop and errors the retries cannot overcome.
// `repo_text` ("model 'org/name'") names the repo in messages.
void download_blob(HttpSession& session, const RemoteFile& file, const std::filesystem::path& incomplete,
                   const std::string& repo_text, const HubOptions& options);

// Free bytes for unprivileged writers on the filesystem holding `dir`; nullopt if unknown.
std::optional<std::uint64_t> free_disk_bytes(const std::filesystem::path& dir);

}  // namespace tpq::hub
