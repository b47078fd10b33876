// Repo ids and revisions: parsing, the Hub's validation rules, URLs and cache folder names.
#include "repo_ref.h"

#include <cctype>
#include <regex>

#include "tpq/core/error.h"

namespace tpq::hub {
namespace {

const char* type_word(RepoType type) { return type == RepoType::model ? "model" : "dataset"; }

void check_revision(const std::string& text, const std::string& revision) {
  require(!revision.empty(), "'" + text + "': empty revision after '@' (use org/name@main, a tag or a commit)");
  bool clean = revision.find("..") == std::string::npos && revision.front() != '/' && revision.back() != '/';
  for (unsigned char c : revision) clean = clean && (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '/');
  require(clean, "'" + text + "': revision '" + revision +
                     "' is not a branch, tag or commit name (letters, digits, '-', '_', '.', '/'; no '..')");
}

}  // namespace

bool is_valid_repo_id(const std::string& id) {
  // huggingface_hub's validate_repo_id: one optional namespace, word characters, '-' and '.',
  // neither '--' nor '..', no leading or trailing '-' / '.', at most 96 characters.
  static const std::regex pattern(R"(^([A-Za-z0-9_][A-Za-z0-9_.\-]*[A-Za-z0-9_]/|[A-Za-z0-9_]/)?)"
                                  R"(([A-Za-z0-9_][A-Za-z0-9_.\-]*[A-Za-z0-9_]|[A-Za-z0-9_])$)");
  return !id.empty() && id.size() <= 96 && id.find("--") == std::string::npos &&
         id.find("..") == std::string::npos && std::regex_match(id, pattern);
}

RepoRef parse_repo_ref(const std::string& text, RepoType type) {
  RepoRef repo;
  repo.type = type;
  const auto at = text.find('@');
  repo.id = text.substr(0, at);
  if (at != std::string::npos) {
    repo.revision = text.substr(at + 1);
    check_revision(text, repo.revision);
  }
  require(is_valid_repo_id(repo.id),
          "'" + text + "' is not a Hub " + type_word(type) +
              " id: use name or org/name (letters, digits, '-', '_', '.'), optionally @revision");
  return repo;
}

bool is_commit_hash(const std::string& revision) {
  if (revision.size() != 40) return false;
  for (unsigned char c : revision) {
    if (!std::isxdigit(c) || std::isupper(c)) return false;
  }
  return true;
}

std::string repo_folder_name(const RepoRef& repo) {
  std::string name = repo.type == RepoType::model ? "models" : "datasets";
  std::size_t start = 0;
  while (true) {
    const auto slash = repo.id.find('/', start);
    name += "--" + repo.id.substr(start, slash - start);
    if (slash == std::string::npos) return name;
    start = slash + 1;
  }
}

std::string describe(const RepoRef& repo) { return std::string(type_word(repo.type)) + " '" + repo.id + "'"; }

std::string percent_encode(const std::string& text, bool keep_slash) {
  static const char* hex = "0123456789ABCDEF";
  std::string encoded;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += hex[c >> 4];
      encoded += hex[c & 15];
    }
  }
  return encoded;
}

std::string resolve_url(const std::string& endpoint, const RepoRef& repo, const std::string& revision,
                        const std::string& file) {
  const std::string prefix = repo.type == RepoType::dataset ? "datasets/" : "";
  return endpoint + "/" + prefix + repo.id + "/resolve/" + percent_encode(revision, /*keep_slash=*/false) + "/" +
         percent_encode(file, /*keep_slash=*/true);
}

std::string revision_info_url(const std::string& endpoint, const RepoRef& repo, const std::string& revision) {
  const std::string kind = repo.type == RepoType::dataset ? "datasets" : "models";
  return endpoint + "/api/" + kind + "/" + repo.id + "/revision/" + percent_encode(revision, /*keep_slash=*/false);
}

}  // namespace tpq::hub
