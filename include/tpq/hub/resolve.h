// Model and dataset names turned into local directories: an existing local directory as is, else the
// Hugging Face cache (shared with Python), else a download from the Hub into that cache.
//
// The one entry point for every flag that takes a checkpoint (--model, --pretrained, the baseline
// flag of 02-09) is resolve_model(); its result's `dir` is an ordinary HF checkpoint directory
// (config.json, model.safetensors or a sharded index, tokenizer files) and `to_json()` is what a
// metrics.json records. Names: "bert-base-uncased", "google/bert_uncased_L-4_H-256_A-4",
// "org/name@revision" (branch, tag or commit). Failures are one-line tpq::UserErrors.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tpq/hub/hub_options.h"

namespace tpq::hub {

enum class RepoSource { local_directory, cache, download };

struct ResolvedRepo {
  std::string id;                  // Hub id ("google/bert_uncased_L-2_H-128_A-2"), or the path given
  std::string revision;            // as asked: "main", a tag, a commit; empty for a local directory
  std::string commit;              // the 40-hex commit the files are from; empty for a local directory
  std::filesystem::path dir;       // the directory to read: the local one or cache's snapshots/{commit}
  RepoSource source = RepoSource::local_directory;
  std::vector<std::string> files;  // files in `dir` that were resolved (datasets: the data files)

  bool from_hub() const { return source != RepoSource::local_directory; }
  // {"id", "revision", "commit", "source": "local_directory"|"cache"|"download", "dir", "files"}
  nlohmann::json to_json() const;
};

// True if `text` is spelled as a Hub id ("name", "org/name", optionally "@revision"), not as a path.
bool looks_like_hub_id(const std::string& text);

// A local directory if one exists at `dir_or_id`; else the complete cached snapshot of the id's
// revision (no network); else, unless offline, fetch_model(). A string that looks like a path but
// names no directory is a UserError, never a Hub request.
ResolvedRepo resolve_model(const std::string& dir_or_id, const HubOptions& options = HubOptions::from_environment());

// Asks the Hub which commit the revision is now, then fetches what the cache lacks: config.json,
// model.safetensors (or model.safetensors.index.json and its shards), the tokenizer files
// (tokenizer.json, vocab.txt, vocab.json + merges.txt, sentencepiece.model: those that exist) and
// tokenizer_config.json, special_tokens_map.json if present. Offline: the cached snapshot or a UserError.
ResolvedRepo fetch_model(const std::string& id, const HubOptions& options = HubOptions::from_environment());

// A Hub dataset repo that holds CSV / TSV / JSONL files.
// Its files load with tpq's generic table loader (data::DatasetSpec with `format`, the columns and
// label names below, `path` = the snapshot directory, or the one file when there is one).
struct KnownDataset {
  std::string name;                      // tpq's --dataset name: sst2, ag_news, imdb
  std::string repo;                      // Hub dataset repo id
  std::vector<std::string> files;        // train[, validation], test
  std::string format;                    // csv | tsv | jsonl
  std::string text_column, label_column;
  std::vector<std::string> label_names;  // in label-id order
};

// The repos tpq fetches for --dataset NAME without --data_path (see docs/hub.md for the choice).
const std::vector<KnownDataset>& known_hub_datasets();

// Fetches dataset files into the cache (datasets--{org}--{name}). `name_or_id` is a known name
// (sst2, ag_news, imdb) or a dataset repo id, optionally "@revision". `files` overrides the file
// list; empty = the known dataset's files, or every CSV / TSV / JSONL file the repo lists. A repo
// that holds only Parquet is a UserError. Cached files are used without the network.
ResolvedRepo resolve_dataset(const std::string& name_or_id, const std::vector<std::string>& files = {},
                             const HubOptions& options = HubOptions::from_environment());

// As resolve_dataset, but always asks the Hub for the revision's current commit (tpq download).
ResolvedRepo fetch_dataset(const std::string& name_or_id, const std::vector<std::string>& files = {},
                           const HubOptions& options = HubOptions::from_environment());

}  // namespace tpq::hub
