// expand_slurm_nodelist(): Slurm's hostlist syntax ("node[01-03,07],gpu5"), as `scontrol show
// hostnames` prints it, without needing scontrol on the machine.
#include <string>
#include <vector>

#include "tpq/core/error.h"
#include "tpq/dist/launch_env.h"

namespace tpq::dist {
namespace {

constexpr std::size_t kMaxHosts = 100000;

void nodelist_require(bool ok, const std::string& nodelist, const std::string& problem) {
  require(ok, "Slurm node list '" + nodelist + "': " + problem + " (expected e.g. node[01-03,07],gpu5)");
}

// Top-level entries: commas inside [...] belong to the brackets.
std::vector<std::string> nodelist_entries(const std::string& nodelist) {
  std::vector<std::string> entries(1);
  int depth = 0;
  for (const char c : nodelist) {
    if (c == '[') ++depth;
    if (c == ']') --depth;
    nodelist_require(depth == 0 || depth == 1, nodelist, "unbalanced or nested brackets");
    if (c == ',' && depth == 0) {
      entries.emplace_back();
    } else {
      entries.back() += c;
    }
  }
  nodelist_require(depth == 0, nodelist, "a '[' is not closed");
  for (const auto& entry : entries) nodelist_require(!entry.empty(), nodelist, "an empty host name");
  return entries;
}

bool nodelist_number(const std::string& text) {
  if (text.empty() || text.size() > 9) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// "01-03,07" -> 01 02 03 07: every number padded to its range start's width, as Slurm does.
std::vector<std::string> expand_nodelist_ranges(const std::string& ranges, const std::string& nodelist) {
  std::vector<std::string> numbers;
  std::size_t start = 0;
  while (start <= ranges.size()) {
    const auto end = std::min(ranges.find(',', start), ranges.size());
    const std::string range = ranges.substr(start, end - start);
    const auto dash = range.find('-');
    const std::string low = range.substr(0, dash);
    const std::string high = dash == std::string::npos ? low : range.substr(dash + 1);
    nodelist_require(nodelist_number(low) && nodelist_number(high), nodelist, "'" + range + "' is not a number or a range a-b");
    const long first = std::stol(low), last = std::stol(high);
    nodelist_require(first <= last && numbers.size() + static_cast<std::size_t>(last - first) < kMaxHosts, nodelist,
                     "range '" + range + "' is reversed or too long");
    for (long n = first; n <= last; ++n) {
      std::string digits = std::to_string(n);
      numbers.push_back(std::string(low.size() > digits.size() ? low.size() - digits.size() : 0, '0') + digits);
    }
    start = end + 1;
  }
  return numbers;
}

// One entry, bracket groups multiplied out left to right: "r[1-2]n[1-2]" -> r1n1 r1n2 r2n1 r2n2.
std::vector<std::string> expand_nodelist_entry(const std::string& entry, const std::string& nodelist) {
  const auto open = entry.find('[');
  if (open == std::string::npos) {
    nodelist_require(entry.find(']') == std::string::npos, nodelist, "a ']' without its '['");
    return {entry};
  }
  const auto close = entry.find(']', open);
  nodelist_require(close != std::string::npos, nodelist, "a '[' is not closed");
  const std::string prefix = entry.substr(0, open);
  const auto tails = expand_nodelist_entry(entry.substr(close + 1), nodelist);
  std::vector<std::string> hosts;
  for (const auto& number : expand_nodelist_ranges(entry.substr(open + 1, close - open - 1), nodelist)) {
    for (const auto& tail : tails) hosts.push_back(prefix + number + tail);
  }
  nodelist_require(hosts.size() <= kMaxHosts, nodelist, "more than 100000 hosts");
  return hosts;
}

}  // namespace

std::vector<std::string> expand_slurm_nodelist(const std::string& nodelist) {
  nodelist_require(!nodelist.empty(), nodelist, "empty");
  std::vector<std::string> hosts;
  for (const auto& entry : nodelist_entries(nodelist)) {
    for (auto& host : expand_nodelist_entry(entry, nodelist)) hosts.push_back(std::move(host));
    nodelist_require(hosts.size() <= kMaxHosts, nodelist, "more than 100000 hosts");
  }
  return hosts;
}

}  // namespace tpq::dist
