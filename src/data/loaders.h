// Internal: one loader per source format. Each reads its files into examples with the source's own
// splits (train only, or train plus test / validation); load_dataset() does the splitting.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tpq/data/dataset_spec.h"
#include "tpq/data/example.h"

namespace tpq::data::detail {

struct LoadedSource {
  std::vector<std::string> label_names;
  std::vector<Example> train;  // the whole pool when the source has no split
  std::optional<std::vector<Example>> validation;
  std::optional<std::vector<Example>> test;
  std::vector<std::string> notes;
  nlohmann::json hub;  // hub::ResolvedRepo::to_json() when the files came from the Hub, else null
};

LoadedSource load_imdb_json(const std::filesystem::path& path);
LoadedSource load_aclimdb(const std::filesystem::path& path);
LoadedSource load_sst2(const std::filesystem::path& path);
LoadedSource load_ag_news(const std::filesystem::path& path, bool title_and_description_as_pair);
LoadedSource load_spam_assassin(const std::filesystem::path& path);
// sst2 / ag_news without a path, or any spec with hub_repo: files from a Hub dataset repo (hub_source.cpp).
bool comes_from_hub(const DatasetSpec& spec, const std::string& format);
LoadedSource load_from_hub(const DatasetSpec& spec, const std::string& format);
// Generic csv / tsv / jsonl: one file (no split) or a directory of train/validation/test files.
LoadedSource load_table(const DatasetSpec& spec, const std::filesystem::path& path, const std::string& format);

// Shared by load_table and load_sst2: named split -> file, columns and labels as in DatasetSpec.
struct TableFile {
  std::string split;  // train | validation | test
  std::filesystem::path path;
};
struct TableColumns {
  std::string text;
  std::string text_pair;  // empty = none
  std::string label;
};
LoadedSource load_table_files(const std::vector<TableFile>& files, const std::string& format,
                              const TableColumns& columns, const std::vector<std::string>& label_names,
                              int64_t num_labels);

}  // namespace tpq::data::detail
