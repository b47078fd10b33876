#include "tpq/core/json_diff.h"

#include <vector>

namespace tpq {
namespace {

void collect_json_differences(const nlohmann::json& ours, const nlohmann::json& theirs, const std::string& path,
                              const std::string& theirs_name, std::vector<std::string>& out) {
  const auto at = [&](const std::string& key) { return path.empty() ? key : path + "." + key; };
  if (!ours.is_object() || !theirs.is_object()) {
    if (ours != theirs) out.push_back(path + " (" + theirs_name + ": " + theirs.dump() + ", here: " + ours.dump() + ")");
    return;
  }
  for (const auto& [key, value] : theirs.items()) {
    if (!ours.contains(key)) out.push_back(at(key) + " (" + theirs_name + ": " + value.dump() + ", here: unset)");
    else collect_json_differences(ours.at(key), value, at(key), theirs_name, out);
  }
  for (const auto& [key, value] : ours.items()) {
    if (!theirs.contains(key)) out.push_back(at(key) + " (" + theirs_name + ": unset, here: " + value.dump() + ")");
  }
}

}  // namespace

std::string json_differences(const nlohmann::json& ours, const nlohmann::json& theirs, const std::string& theirs_name) {
  std::vector<std::string> differences;
  collect_json_differences(ours, theirs, "", theirs_name, differences);
  std::string text;
  for (std::size_t i = 0; i < differences.size() && i < 4; ++i) text += (i ? ", " : "") + differences[i];
  if (differences.size() > 4) text += " and " + std::to_string(differences.size() - 4) + " more";
  return text;
}

}  // namespace tpq
