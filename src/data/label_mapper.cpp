// Internal label mapping (see label_mapper.h): explicit names, a fixed label count, or inferred
// sorted order. Every rejected value raises a UserError naming where it was and what is allowed.
#include "label_mapper.h"

#include <algorithm>
#include <map>
#include <set>

#include "loader_common.h"
#include "tpq/core/error.h"

namespace tpq::data::detail {
namespace {

LabelMapping map_by_names(const std::vector<RawLabel>& labels, const std::vector<std::string>& names,
                          const std::string& column) {
  std::map<std::string, int64_t> by_name;
  for (std::size_t i = 0; i < names.size(); ++i) by_name.emplace(names[i], static_cast<int64_t>(i));
  LabelMapping mapping{{}, names, ""};
  mapping.ids.reserve(labels.size());
  for (const auto& label : labels) {
    if (auto found = by_name.find(label.value); found != by_name.end()) {
      mapping.ids.push_back(found->second);
      continue;
    }
    const auto number = parse_integer(label.value);
    require(number && *number >= 0 && *number < static_cast<int64_t>(names.size()),
            label.location + ": column '" + column + "': label '" + label.value + "' is neither one of [" +
                join(names) + "] nor an id in 0.." + std::to_string(names.size() - 1) +
                "; fix the value or the label_names list");
    mapping.ids.push_back(*number);
  }
  return mapping;
}

LabelMapping map_by_count(const std::vector<RawLabel>& labels, int64_t num_labels, const std::string& column) {
  LabelMapping mapping;
  for (int64_t i = 0; i < num_labels; ++i) mapping.label_names.push_back(std::to_string(i));
  for (const auto& label : labels) {
    const auto number = parse_integer(label.value);
    require(number.has_value(), label.location + ": column '" + column + "': label '" + label.value +
                                    "' is not an integer; with num_labels set labels must be ids 0.." +
                                    std::to_string(num_labels - 1) + " (or give label_names)");
    require(*number >= 0 && *number < num_labels,
            label.location + ": column '" + column + "': label " + label.value + " is out of range for " +
                std::to_string(num_labels) + " labels (ids 0.." + std::to_string(num_labels - 1) +
                "); fix the value or num_labels");
    mapping.ids.push_back(*number);
  }
  return mapping;
}

LabelMapping map_inferred(const std::vector<RawLabel>& labels, const std::string& column) {
  bool all_integers = true;
  std::set<std::string> distinct_strings;
  std::set<int64_t> distinct_numbers;
  for (const auto& label : labels) {
    distinct_strings.insert(label.value);
    if (const auto number = parse_integer(label.value)) {
      distinct_numbers.insert(*number);
    } else {
      all_integers = false;
    }
  }
  require(distinct_strings.size() >= 2 || labels.empty(),
          (labels.empty() ? std::string("dataset") : labels.front().location) + ": column '" + column +
              "' has a single distinct label '" + *distinct_strings.begin() +
              "'; a classifier needs at least 2 classes (check label_column)");
  LabelMapping mapping;
  if (all_integers) {
    std::map<int64_t, int64_t> id_of;
    for (int64_t number : distinct_numbers) {
      id_of.emplace(number, static_cast<int64_t>(id_of.size()));
      mapping.label_names.push_back(std::to_string(number));
    }
    for (const auto& label : labels) mapping.ids.push_back(id_of.at(*parse_integer(label.value)));
    const bool identity = *distinct_numbers.begin() == 0 &&
                          *distinct_numbers.rbegin() == static_cast<int64_t>(distinct_numbers.size()) - 1;
    if (!identity) {
      mapping.note = "labels {" + join(mapping.label_names) + "} mapped to ids 0.." +
                     std::to_string(distinct_numbers.size() - 1) + " in numeric order";
    }
  } else {
    std::map<std::string, int64_t> id_of;
    for (const auto& value : distinct_strings) {
      id_of.emplace(value, static_cast<int64_t>(id_of.size()));
      mapping.label_names.push_back(value);
    }
    for (const auto& label : labels) mapping.ids.push_back(id_of.at(label.value));
    mapping.note = "string labels mapped to ids in sorted order: " + join(mapping.label_names);
  }
  return mapping;
}

}  // namespace

LabelMapping map_labels(const std::vector<RawLabel>& labels, const std::vector<std::string>& label_names,
                        int64_t num_labels, const std::string& column) {
  if (!label_names.empty()) return map_by_names(labels, label_names, column);
  if (num_labels > 0) return map_by_count(labels, num_labels, column);
  return map_inferred(labels, column);
}

}  // namespace tpq::data::detail
