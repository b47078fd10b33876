// One line per Hub failure, with the fix.
#include "hub_errors.h"

#include "tpq/core/error.h"

namespace tpq::hub {
namespace {

std::string token_advice(const HubOptions& options) {
  if (!options.token.empty()) {
    return "the token from " + options.token_source + " was sent: check it has read access to the repo";
  }
  return "set HF_TOKEN to a read token from " + options.endpoint +
         "/settings/tokens (or write it to $HF_HOME/token, as `huggingface-cli login` does)";
}

std::string what(const RequestContext& context) {
  std::string text = describe(context.repo) + " at revision '" + context.revision + "'";
  if (!context.file.empty()) text = "file '" + context.file + "' of " + text;
  return text;
}

std::string server_message(const HttpResponse& response) {
  std::string message = response.header("x-error-message");
  if (message.empty() || message.size() > 200 || message.find('\n') != std::string::npos) return "";
  return " (the Hub says: " + message + ")";
}

}  // namespace

bool is_missing_file(const HttpResponse& response) {
  return response.status == 404 && response.header("x-error-code") == "EntryNotFound";
}

void throw_for_status(const HttpResponse& response, const RequestContext& context) {
  const std::string code = response.header("x-error-code");
  const std::string status = std::to_string(response.status);
  const std::string repo = describe(context.repo);
  const std::string& endpoint = context.options.endpoint;
  if (code == "GatedRepo") {
    throw UserError(repo + " is gated (" + status + "): accept its conditions at " + endpoint + "/" +
                    context.repo.id + " while logged in, then " + token_advice(context.options));
  }
  if (response.status == 401 || response.status == 403) {
    throw UserError(repo + " on " + endpoint + ": access denied (" + status +
                    "): it does not exist, or it is private or gated; " + token_advice(context.options) +
                    server_message(response));
  }
  if (code == "RepoNotFound") {
    throw UserError(repo + " not found on " + endpoint + " (404): check the name; a private repo also needs a token (" +
                    token_advice(context.options) + ")");
  }
  if (code == "RevisionNotFound") {
    throw UserError("revision '" + context.revision + "' not found in " + repo + " on " + endpoint +
                    " (404): use a branch, a tag or a full commit hash that exists there");
  }
  if (response.status == 404) {
    throw UserError(what(context) + " not found on " + endpoint + " (404" + (code.empty() ? "" : " " + code) + ")" +
                    server_message(response));
  }
  if (response.status == 416) {
    throw UserError(what(context) + ": the server refused the resume range (416); delete the .incomplete file under " +
                    context.options.cache_dir.string() + " and retry");
  }
  if (response.status >= 500 || response.status == 429) {
    throw UserError(endpoint + " answered " + status + " for " + what(context) + " after " +
                    std::to_string(context.options.transfer.max_attempts) + " attempts; try again later");
  }
  throw UserError(what(context) + ": unexpected HTTP " + status + " from " + endpoint + server_message(response));
}

void throw_not_cached(const RepoRef& repo, const std::string& cache_root, const std::string& missing,
                      const std::string& why) {
  throw UserError(why + ": " + describe(repo) + " at revision '" + repo.revision + "' is not in the cache (" +
                  missing + "; searched " + cache_root +
                  "); fetch it where there is network with `tpq download " +
                  (repo.type == RepoType::dataset ? "--dataset " : "") + repo.id +
                  (repo.revision == "main" ? "" : " --revision " + repo.revision) +
                  "` into the same HF_HUB_CACHE / HF_HOME, or unset HF_HUB_OFFLINE");
}

}  // namespace tpq::hub
