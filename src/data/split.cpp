// Seeded stratified splitting and class-balanced capping (see include/tpq/data/split.h).
// Owns the rounding rule: per class floor(n * f) plus largest remainders, ties to the earlier part.
#include "data/split.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <sstream>

#include "tpq/core/error.h"

namespace tpq::data {
namespace {

// Splits count into parts proportional to weights (summing to 1) by the largest-remainder method.
std::vector<std::size_t> apportion(std::size_t count, const std::vector<double>& weights) {
  std::vector<std::size_t> parts(weights.size(), 0);
  std::vector<double> remainders(weights.size(), 0.0);
  std::size_t assigned = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    // The epsilon keeps 0.7 * 10 from flooring to 6.
    const double exact = static_cast<double>(count) * weights[i] + 1e-9;
    parts[i] = static_cast<std::size_t>(std::floor(exact));
    remainders[i] = exact - static_cast<double>(parts[i]);
    assigned += parts[i];
  }
  std::vector<std::size_t> order(weights.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return remainders[a] > remainders[b]; });
  for (std::size_t k = 0; assigned < count && k < order.size(); ++k) {
    if (weights[order[k]] <= 0.0) continue;
    ++parts[order[k]];
    ++assigned;
  }
  for (std::size_t k = 0; assigned < count; k = (k + 1) % parts.size()) {  // weights all tiny
    if (weights[k] > 0.0) { ++parts[k]; ++assigned; }
  }
  return parts;
}

void validate_fractions(const std::vector<double>& fractions) {
  require(!fractions.empty(), "split fractions are empty; give e.g. 0.5 0.25 0.25");
  double sum = 0.0;
  std::ostringstream listed;
  for (std::size_t i = 0; i < fractions.size(); ++i) {
    listed << (i ? ", " : "") << fractions[i];
    sum += fractions[i];
  }
  for (double fraction : fractions) {
    require(std::isfinite(fraction) && fraction >= 0.0,
            "split fractions [" + listed.str() + "] contain a negative or non-finite value; use "
            "fractions >= 0 that sum to 1, e.g. 0.5 0.25 0.25");
  }
  require(std::fabs(sum - 1.0) < 1e-6, "split fractions [" + listed.str() + "] sum to " +
                                           std::to_string(sum) + ", not 1; e.g. use 0.5 0.25 0.25");
}

std::map<int64_t, std::vector<std::size_t>> indices_by_class(const std::vector<Example>& examples) {
  std::map<int64_t, std::vector<std::size_t>> by_class;
  for (std::size_t i = 0; i < examples.size(); ++i) by_class[examples[i].label].push_back(i);
  return by_class;
}

}  // namespace

uint64_t uniform_below(std::mt19937_64& generator, uint64_t bound) {
  // Reject the lowest (2^64 mod bound) values so that every residue is equally likely.
  const uint64_t threshold = (0 - bound) % bound;
  for (;;) {
    const uint64_t value = generator();
    if (value >= threshold) return value % bound;
  }
}

std::vector<std::vector<Example>> stratified_split(const std::vector<Example>& examples,
                                                   const std::vector<double>& fractions,
                                                   uint64_t seed) {
  validate_fractions(fractions);
  std::mt19937_64 generator(seed);
  std::vector<std::vector<std::size_t>> part_indices(fractions.size());
  // Classes in increasing label order, each shuffled, so the result depends only on seed + input.
  for (auto& [label, indices] : indices_by_class(examples)) {
    seeded_shuffle(indices, generator);
    const auto counts = apportion(indices.size(), fractions);
    std::size_t next = 0;
    for (std::size_t part = 0; part < counts.size(); ++part) {
      for (std::size_t k = 0; k < counts[part]; ++k) part_indices[part].push_back(indices[next++]);
    }
  }
  std::vector<std::vector<Example>> parts(fractions.size());
  for (std::size_t part = 0; part < parts.size(); ++part) {
    seeded_shuffle(part_indices[part], generator);  // mix classes
    parts[part].reserve(part_indices[part].size());
    for (std::size_t index : part_indices[part]) parts[part].push_back(examples[index]);
  }
  return parts;
}

std::vector<Example> take_stratified(const std::vector<Example>& examples, std::size_t max_count) {
  if (max_count == 0 || max_count >= examples.size()) return examples;
  const auto by_class = indices_by_class(examples);
  std::vector<double> weights;
  for (const auto& [label, indices] : by_class) {
    weights.push_back(static_cast<double>(indices.size()) / static_cast<double>(examples.size()));
  }
  const auto quotas = apportion(max_count, weights);
  std::map<int64_t, std::size_t> remaining;
  std::size_t k = 0;
  for (const auto& [label, indices] : by_class) remaining[label] = quotas[k++];
  std::vector<Example> taken;
  taken.reserve(max_count);
  for (const Example& example : examples) {
    auto& left = remaining[example.label];
    if (left > 0) {
      --left;
      taken.push_back(example);
    }
  }
  return taken;
}

}  // namespace tpq::data
