// A Hub repository reference (type, id, revision): parsed from "org/name@revision", validated as the
// Hub validates ids, and spelled as the Hub's URLs and the cache's folder names spell it.
#pragma once

#include <string>

namespace tpq::hub {

enum class RepoType { model, dataset };

struct RepoRef {
  RepoType type = RepoType::model;
  std::string id;                  // "bert-base-uncased" or "org/name"
  std::string revision = "main";   // branch, tag, or commit
};

// "org/name@revision" (revision optional). UserError naming the text and the rule it breaks.
RepoRef parse_repo_ref(const std::string& text, RepoType type);

// True for a full 40-hex commit hash: such a revision never moves, so no refs/ entry is needed.
bool is_commit_hash(const std::string& revision);

// True if `id` passes the Hub's repo-id rules (huggingface_hub's validate_repo_id).
bool is_valid_repo_id(const std::string& id);

// "models--org--name" / "datasets--org--name": the repo's folder in the cache.
std::string repo_folder_name(const RepoRef& repo);

// "model 'org/name'" / "dataset 'org/name'", for messages.
std::string describe(const RepoRef& repo);

// {endpoint}/{datasets/}{id}/resolve/{revision, %-encoded}/{file, %-encoded per segment}
std::string resolve_url(const std::string& endpoint, const RepoRef& repo, const std::string& revision,
                        const std::string& file);

// {endpoint}/api/{models|datasets}/{id}/revision/{revision}: the repo's commit and file list.
std::string revision_info_url(const std::string& endpoint, const RepoRef& repo, const std::string& revision);

// Percent-encodes everything outside RFC 3986's unreserved set; '/' is kept when keep_slash.
std::string percent_encode(const std::string& text, bool keep_slash);

}  // namespace tpq::hub
