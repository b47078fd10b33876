// Labelled text examples and the three splits a loader produces. Plain data, shared by the
// loaders, the splitter, the statistics and the tokenization cache.
#pragma once

#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tpq::data {

struct Example {
  std::string text;
  std::optional<std::string> text_pair;  // second segment (e.g. AG News description in pair mode)
  int64_t label = 0;                     // 0 .. label_names.size()-1
};

struct Dataset {
  std::string name;                      // e.g. "imdb"; the split is named by DatasetSplits
  std::vector<std::string> label_names;  // index = label id
  std::vector<Example> examples;

  std::size_t size() const { return examples.size(); }
  int64_t num_labels() const { return static_cast<int64_t>(label_names.size()); }
};

struct DatasetSplits {
  Dataset train;
  Dataset validation;
  Dataset test;
  // Choices made while loading that the report should state (e.g. "test = GLUE dev").
  std::vector<std::string> notes;
  // Where the files came from when they were fetched from the Hub (id, revision, commit, files); else null.
  nlohmann::json hub_source;
};

}  // namespace tpq::data
