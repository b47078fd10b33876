// Which files of a model repo make a checkpoint tpq can load, in the order they are fetched:
// config.json; model.safetensors, or model.safetensors.index.json and every shard it names; the
// tokenizer files the repo has (tokenizer.json, vocab.txt, vocab.json + merges.txt,
// sentencepiece.model); tokenizer_config.json and special_tokens_map.json if present.
#pragma once

#include <string>
#include <vector>

#include "repo_cache.h"
#include "snapshot_fetcher.h"

namespace tpq::hub {

// Fetches the checkpoint's files (a missing optional file is no error) and links the snapshot.
// UserError if the repo has no config.json, no safetensors weights (naming pytorch_model.bin when
// that is all it has) or no tokenizer. Returns the files now in the snapshot.
std::vector<std::string> fetch_model_files(SnapshotFetcher& fetcher);

// Whether snapshots/{commit} of a cached repo already holds a loadable checkpoint (as tpq or Python
// left it). On false, *missing says what is absent.
bool model_snapshot_complete(const RepoCache& cache, const std::string& commit, std::string* missing);

// The files of a complete snapshot that fetch_model_files() would have fetched.
std::vector<std::string> model_files_present(const RepoCache& cache, const std::string& commit);

// Shard file names listed by a model.safetensors.index.json ("weight_map" values), sorted, unique.
// UserError naming `path` if it is not such an index.
std::vector<std::string> shards_of_index(const std::filesystem::path& path);

}  // namespace tpq::hub
