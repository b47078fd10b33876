// Datasets by name: --dataset sst2 | ag_news without a path (or any data.hub_repo) come from a Hub
// dataset repo of CSV / TSV / JSONL files, fetched into the shared HF cache by hub::resolve_dataset.
#include <algorithm>

#include <spdlog/spdlog.h>

#include "loaders.h"
#include "tpq/core/error.h"
#include "tpq/hub/resolve.h"

namespace tpq::data::detail {
namespace {

namespace fs = std::filesystem;

const hub::KnownDataset* known_dataset(const std::string& name) {
  for (const auto& known : hub::known_hub_datasets()) {
    if (known.name == name) return &known;
  }
  return nullptr;
}

std::string extension_format(const std::string& file) {
  const std::string extension = fs::path(file).extension().string();
  if (extension == ".csv" || extension == ".tsv" || extension == ".jsonl") return extension.substr(1);
  throw UserError("data.hub_files: '" + file + "' is not a .csv, .tsv or .jsonl file; list only those");
}

// train / validation / test from the file's name ("train.jsonl", "data/dev-00000.csv"); a lone
// file of another name is the whole pool.
std::string split_of(const std::string& file, std::size_t file_count) {
  const std::string stem = fs::path(file).stem().string();
  const auto starts = [&](const char* prefix) { return stem.rfind(prefix, 0) == 0; };
  if (starts("train")) return "train";
  if (starts("validation") || starts("valid") || starts("dev") || starts("val")) return "validation";
  if (starts("test")) return "test";
  require(file_count == 1, "dataset file '" + file + "' is not named train*, validation*/dev*/val* or test*; "
                           "list the files in that order's names with data.hub_files, or download them and use --data_path");
  return "train";
}

}  // namespace

bool comes_from_hub(const DatasetSpec& spec, const std::string& format) {
  return !spec.hub_repo.empty() || (spec.path.empty() && known_dataset(format) != nullptr && format != "imdb");
}

LoadedSource load_from_hub(const DatasetSpec& spec, const std::string& format) {
  const hub::KnownDataset* known = spec.hub_repo.empty() ? known_dataset(format) : nullptr;
  const std::string repo = spec.hub_repo.empty() ? format : spec.hub_repo;
  const auto resolved = hub::resolve_dataset(repo, spec.hub_files);
  require(!resolved.files.empty(), "Hub dataset " + resolved.id + " gave no data files; name them with data.hub_files");

  std::string file_format = known ? known->format : extension_format(resolved.files.front());
  TableColumns columns{spec.text_column, spec.text_pair_column, spec.label_column};
  std::vector<std::string> label_names = spec.label_names;
  if (known) {
    columns = {known->text_column, "", known->label_column};
    if (label_names.empty()) label_names = known->label_names;
  }
  std::vector<TableFile> files;
  std::vector<std::string> splits_seen;
  for (const auto& file : resolved.files) {
    require(extension_format(file) == file_format, "Hub dataset " + resolved.id + ": files of different formats (" +
                                                       resolved.files.front() + ", " + file + "); list one format in data.hub_files");
    const std::string split = split_of(file, resolved.files.size());
    require(std::find(splits_seen.begin(), splits_seen.end(), split) == splits_seen.end(),
            "Hub dataset " + resolved.id + ": two files for the " + split + " split (" + file +
                "); list one file per split with data.hub_files");
    splits_seen.push_back(split);
    files.push_back({split, resolved.dir / file});
  }
  // train first: the label mapping keeps first-seen order for string labels.
  std::stable_sort(files.begin(), files.end(), [](const TableFile& a, const TableFile& b) {
    const auto rank = [](const std::string& split) { return split == "train" ? 0 : split == "validation" ? 1 : 2; };
    return rank(a.split) < rank(b.split);
  });
  auto source = load_table_files(files, file_format, columns, label_names, spec.num_labels);
  source.notes.push_back("data from the Hugging Face Hub dataset " + resolved.id + " at commit " + resolved.commit + " (" +
                         std::to_string(resolved.files.size()) + " file(s))");
  source.hub = resolved.to_json();
  return source;
}

}  // namespace tpq::data::detail
