// The Hub's error answers as one-line UserErrors that name the repo, revision and file and say how
// to fix them: 401/403 (gated or private: set a token), 404 (repo, revision or file), 5xx.
#pragma once

#include <string>

#include "http_session.h"
#include "repo_ref.h"
#include "tpq/hub/hub_options.h"

namespace tpq::hub {

// What was asked for when the answer came.
struct RequestContext {
  const RepoRef& repo;
  const std::string& revision;
  const std::string& file;  // empty for repo-level requests (file listings)
  const HubOptions& options;
};

// X-Error-Code EntryNotFound (or a plain 404 for a file of a repo that exists).
bool is_missing_file(const HttpResponse& response);

// For any status outside 2xx/3xx.
[[noreturn]] void throw_for_status(const HttpResponse& response, const RequestContext& context);

// Offline (or the Hub unreachable) and the cache lacks what is needed: names the directory searched.
[[noreturn]] void throw_not_cached(const RepoRef& repo, const std::string& cache_root, const std::string& missing,
                                   const std::string& why);

}  // namespace tpq::hub
