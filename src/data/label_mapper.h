// Internal: turns raw label values (strings from CSV/TSV/JSONL cells) into ids, the same way for
// every file of a dataset. Rules in label_mapper.cpp; errors name the file, line and column.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tpq::data::detail {

struct RawLabel {
  std::string value;
  std::string location;  // "file: line N" for error messages
};

struct LabelMapping {
  std::vector<int64_t> ids;  // one per raw label, same order
  std::vector<std::string> label_names;
  std::string note;          // how the mapping was chosen, for DatasetSplits::notes
};

// label_names given: a value equal to a name maps to its position, an integer < size maps to
// itself. Else num_labels > 0: values must be integers in [0, num_labels). Else: distinct values
// in sorted order (numeric when all are integers) become 0..k-1. column names the label column.
LabelMapping map_labels(const std::vector<RawLabel>& labels, const std::vector<std::string>& label_names,
                        int64_t num_labels, const std::string& column);

}  // namespace tpq::data::detail
