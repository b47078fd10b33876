// Seeded, platform-independent shuffling and stratified splitting. Uses std::mt19937_64 (its output
// is fixed by the standard) with our own bounded sampling and Fisher-Yates, never std::shuffle or
// std::uniform_int_distribution, whose results differ between standard libraries.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "tpq/data/example.h"

namespace tpq::data {

// Uniform integer in [0, bound) by rejection sampling; bound > 0.
uint64_t uniform_below(std::mt19937_64& generator, uint64_t bound);

// Fisher-Yates shuffle of values in place.
template <typename T>
void seeded_shuffle(std::vector<T>& values, std::mt19937_64& generator) {
  for (std::size_t i = values.size(); i > 1; --i) {
    const auto j = static_cast<std::size_t>(uniform_below(generator, i));
    std::swap(values[i - 1], values[j]);
  }
}

// Splits examples into fractions.size() parts (fractions >= 0, summing to 1), each class divided in
// proportion (largest remainder), each part shuffled. Same seed and input -> same result anywhere.
// UserError if the fractions are invalid.
std::vector<std::vector<Example>> stratified_split(const std::vector<Example>& examples,
                                                   const std::vector<double>& fractions,
                                                   uint64_t seed);

// The first examples of a (shuffled) split, at most max_count, keeping the split's class
// proportions; order is preserved. max_count == 0 or >= size returns the split unchanged.
std::vector<Example> take_stratified(const std::vector<Example>& examples, std::size_t max_count);

}  // namespace tpq::data
