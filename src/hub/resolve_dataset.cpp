// Datasets by name: known names map to Hub dataset repos of CSV / TSV / JSONL files, fetched through
// the same client and cache as models (datasets--{org}--{name}). Parquet-only repos are refused:
// Debian has no Parquet reader.
#include <algorithm>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "hub_errors.h"
#include "hub_request.h"
#include "repo_cache.h"
#include "snapshot_fetcher.h"
#include "tpq/core/error.h"
#include "tpq/hub/resolve.h"

namespace tpq::hub {
namespace {

bool has_suffix(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_table_file(const std::string& file) {
  return has_suffix(file, ".csv") || has_suffix(file, ".tsv") || has_suffix(file, ".jsonl");
}

void refuse_parquet(const RepoRef& repo, const std::string& file) {
  require(!has_suffix(file, ".parquet"),
          describe(repo) + ": '" + file + "' is Parquet, which tpq cannot read (Debian has no Parquet reader); "
                           "pick a repo with CSV, TSV or JSONL files (data.hub_repo / data.hub_files)");
}

// The repo's commit and its CSV / TSV / JSONL files, from the Hub's revision API.
std::vector<std::string> list_table_files(HttpSession& session, SnapshotFetcher& fetcher, const HubOptions& options) {
  const RepoRef& repo = fetcher.repo();
  const std::string url = revision_info_url(options.endpoint, repo, repo.revision);
  const HttpResponse response =
      with_retries([&] { return session.get_small(url, request_headers(url, options), 64 << 20); }, options);
  const std::string no_file;
  if (response.status != 200) throw_for_status(response, {repo, repo.revision, no_file, options});
  const auto info = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  require(info.is_object() && info.contains("sha") && info["sha"].is_string() && info.contains("siblings"),
          url_for_messages(url) + ": not a Hub revision answer (expected \"sha\" and \"siblings\")");
  fetcher.pin_commit(info["sha"].get<std::string>());
  std::vector<std::string> tables;
  bool has_parquet = false;
  for (const auto& sibling : info["siblings"]) {
    const std::string name = sibling.value("rfilename", "");
    if (is_table_file(name)) tables.push_back(name);
    has_parquet = has_parquet || has_suffix(name, ".parquet");
  }
  require(!(tables.empty() && has_parquet),
          describe(repo) + " holds only Parquet data, which tpq cannot read (Debian has no Parquet reader); pick a "
                           "repo with CSV, TSV or JSONL files (data.hub_repo) or convert the data to one of those");
  require(!tables.empty(), describe(repo) + " holds no CSV, TSV or JSONL file; name the files with data.hub_files");
  std::sort(tables.begin(), tables.end());
  return tables;
}

RepoRef dataset_ref(const std::string& name_or_id, std::vector<std::string>* files) {
  for (const auto& known : known_hub_datasets()) {
    if (known.name == name_or_id) {
      if (files->empty()) *files = known.files;
      return parse_repo_ref(known.repo, RepoType::dataset);
    }
  }
  return parse_repo_ref(name_or_id, RepoType::dataset);
}

std::optional<ResolvedRepo> cached_dataset(const RepoRef& repo, const std::vector<std::string>& files,
                                           const HubOptions& options, std::string* missing) {
  const RepoCache cache(options.cache_dir, repo);
  const auto commit = cache.cached_commit(repo.revision);
  *missing = "no refs/" + repo.revision + " there";
  if (!commit) return std::nullopt;
  *missing = "no file list given and none known";
  if (files.empty()) return std::nullopt;
  for (const auto& file : files) {
    *missing = "no " + file;
    if (!cache.has_file(*commit, file)) return std::nullopt;
  }
  return resolved_snapshot(repo, cache, *commit, RepoSource::cache, files);
}

ResolvedRepo fetch_dataset_files(const RepoRef& repo, std::vector<std::string> files, const HubOptions& options) {
  std::string missing;
  if (options.offline) {
    if (auto cached = cached_dataset(repo, files, options, &missing)) return *cached;
    throw_not_cached(repo, (options.cache_dir / repo_folder_name(repo)).string(), missing, "HF_HUB_OFFLINE is set");
  }
  for (const auto& file : files) refuse_parquet(repo, file);
  create_cache_directories(options.cache_dir);
  HttpSession session(options);
  SnapshotFetcher fetcher(session, options, repo);
  if (files.empty()) files = list_table_files(session, fetcher, options);
  for (const auto& file : files) fetcher.fetch_file(file, /*optional=*/false);
  fetcher.link_all();
  spdlog::info("{} at {} (commit {}): {} data file(s) in {}", describe(repo), repo.revision, fetcher.commit(),
               files.size(), fetcher.snapshot_dir().string());
  const RepoSource source = fetcher.downloaded_anything() ? RepoSource::download : RepoSource::cache;
  return resolved_snapshot(repo, fetcher.cache(), fetcher.commit(), source, files);
}

}  // namespace

const std::vector<KnownDataset>& known_hub_datasets() {
  // JSONL copies with "text" and "label" columns made by the SetFit project, and scikit-learn's CSV
  // of the 50 000 IMDB reviews; docs/hub.md says why these and how to override them.
  static const std::vector<KnownDataset> datasets = {
      {"sst2", "SetFit/sst2", {"train.jsonl", "validation.jsonl", "test.jsonl"}, "jsonl", "text", "label",
       {"negative", "positive"}},
      {"ag_news", "SetFit/ag_news", {"train.jsonl", "test.jsonl"}, "jsonl", "text", "label",
       {"World", "Sports", "Business", "Sci/Tech"}},
      {"imdb", "scikit-learn/imdb", {"IMDB Dataset.csv"}, "csv", "review", "sentiment", {"negative", "positive"}},
  };
  return datasets;
}

ResolvedRepo resolve_dataset(const std::string& name_or_id, const std::vector<std::string>& files,
                             const HubOptions& options) {
  std::vector<std::string> wanted = files;
  const RepoRef repo = dataset_ref(name_or_id, &wanted);
  std::string missing;
  if (auto cached = cached_dataset(repo, wanted, options, &missing)) return *cached;
  return fetch_dataset_files(repo, wanted, options);
}

ResolvedRepo fetch_dataset(const std::string& name_or_id, const std::vector<std::string>& files,
                           const HubOptions& options) {
  std::vector<std::string> wanted = files;
  const RepoRef repo = dataset_ref(name_or_id, &wanted);
  return fetch_dataset_files(repo, wanted, options);
}

}  // namespace tpq::hub
