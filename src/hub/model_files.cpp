// The checkpoint file plan: what to fetch from a model repo and when a cached snapshot is complete.
#include "model_files.h"

#include <set>

#include <nlohmann/json.hpp>

#include "tpq/core/error.h"
#include "tpq/io/atomic_file.h"

namespace tpq::hub {
namespace {

const char* kConfig = "config.json";
const char* kWeights = "model.safetensors";
const char* kShardIndex = "model.safetensors.index.json";
const char* kPickleWeights = "pytorch_model.bin";
// Each group is one way to build the tokenizer; a checkpoint needs at least one complete group.
const std::vector<std::vector<std::string>> kTokenizerGroups = {
    {"tokenizer.json"}, {"vocab.txt"}, {"vocab.json", "merges.txt"}, {"sentencepiece.model"}};
const std::vector<std::string> kOptionalExtras = {"tokenizer_config.json", "special_tokens_map.json"};

std::vector<std::string> tokenizer_file_names() {
  std::vector<std::string> names;
  for (const auto& group : kTokenizerGroups) names.insert(names.end(), group.begin(), group.end());
  return names;
}

bool has_tokenizer(const std::set<std::string>& present) {
  for (const auto& group : kTokenizerGroups) {
    bool complete = true;
    for (const auto& name : group) complete = complete && present.count(name) > 0;
    if (complete) return true;
  }
  return false;
}

void fetch_weights(SnapshotFetcher& fetcher) {
  if (fetcher.fetch_file(kWeights, /*optional=*/true)) return;
  if (const auto index = fetcher.fetch_file(kShardIndex, /*optional=*/true)) {
    for (const auto& shard : shards_of_index(*index)) fetcher.fetch_file(shard, /*optional=*/false);
    return;
  }
  const std::string repo = describe(fetcher.repo()) + " (commit " + fetcher.commit() + ")";
  require(!fetcher.locate(kPickleWeights, /*optional=*/true),
          repo + " has only pytorch_model.bin; tpq reads safetensors weights only: pick a revision with "
                 "model.safetensors (e.g. a conversion PR: --revision refs/pr/N) or convert it with "
                 "transformers' save_pretrained(..., safe_serialization=True)");
  throw UserError(repo + " has no model weights (neither model.safetensors nor model.safetensors.index.json)");
}

}  // namespace

std::vector<std::string> shards_of_index(const std::filesystem::path& path) {
  const auto index = io::read_json_file(path);
  require(index.is_object() && index.contains("weight_map") && index["weight_map"].is_object(),
          path.string() + ": not a safetensors index (expected an object with a \"weight_map\" object)");
  std::set<std::string> shards;
  for (const auto& [tensor, file] : index["weight_map"].items()) {
    require(file.is_string(), path.string() + ": weight_map[\"" + tensor + "\"] is not a file name");
    shards.insert(file.get<std::string>());
  }
  require(!shards.empty(), path.string() + ": the weight_map is empty");
  return {shards.begin(), shards.end()};
}

std::vector<std::string> fetch_model_files(SnapshotFetcher& fetcher) {
  fetcher.fetch_file(kConfig, /*optional=*/false);
  fetch_weights(fetcher);
  for (const auto& name : tokenizer_file_names()) fetcher.fetch_file(name, /*optional=*/true);
  const auto& fetched = fetcher.fetched_files();
  require(has_tokenizer({fetched.begin(), fetched.end()}),
          describe(fetcher.repo()) + " (commit " + fetcher.commit() +
              ") has no tokenizer files tpq reads (tokenizer.json, vocab.txt, vocab.json + merges.txt)");
  for (const auto& name : kOptionalExtras) fetcher.fetch_file(name, /*optional=*/true);
  fetcher.link_all();
  return fetcher.fetched_files();
}

std::vector<std::string> model_files_present(const RepoCache& cache, const std::string& commit) {
  std::vector<std::string> names = {kConfig, kWeights, kShardIndex};
  for (const auto& name : tokenizer_file_names()) names.push_back(name);
  names.insert(names.end(), kOptionalExtras.begin(), kOptionalExtras.end());
  std::vector<std::string> present;
  for (const auto& name : names) {
    if (cache.has_file(commit, name)) present.push_back(name);
  }
  if (cache.has_file(commit, kShardIndex) && !cache.has_file(commit, kWeights)) {
    for (const auto& shard : shards_of_index(cache.pointer_path(commit, kShardIndex))) present.push_back(shard);
  }
  return present;
}

bool model_snapshot_complete(const RepoCache& cache, const std::string& commit, std::string* missing) {
  const auto fail = [&](const std::string& what) {
    *missing = what;
    return false;
  };
  if (!cache.has_file(commit, kConfig)) return fail("no config.json");
  if (!cache.has_file(commit, kWeights)) {
    if (!cache.has_file(commit, kShardIndex)) return fail("no model.safetensors");
    for (const auto& shard : shards_of_index(cache.pointer_path(commit, kShardIndex))) {
      if (!cache.has_file(commit, shard)) return fail("no shard " + shard);
    }
  }
  std::set<std::string> present;
  for (const auto& name : tokenizer_file_names()) {
    if (cache.has_file(commit, name)) present.insert(name);
  }
  if (!has_tokenizer(present)) return fail("no tokenizer file");
  return true;
}

}  // namespace tpq::hub
