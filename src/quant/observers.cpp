#include "tpq/quant/observers.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <torch/torch.h>

#include "tpq/core/error.h"

namespace tpq::quant {
namespace {

std::pair<double, double> batch_min_max(const torch::Tensor& values) {
  const auto flat = values.detach().to(torch::kFloat).reshape({-1});
  const auto [min, max] = torch::aminmax(flat);
  return {min.item<double>(), max.item<double>()};
}

void require_values(const torch::Tensor& values) {
  if (!values.defined() || values.numel() == 0) throw std::logic_error("observer: empty tensor observed");
}

}  // namespace

void MinMaxObserver::observe(const torch::Tensor& values) {
  require_values(values);
  const auto [min, max] = batch_min_max(values);
  range_ = observed_ == 0 ? ObservedRange{min, max} : ObservedRange{std::min(range_.min, min), std::max(range_.max, max)};
  observed_ += values.numel();
}

ObservedRange MinMaxObserver::range() const {
  if (observed_ == 0) throw std::logic_error("minmax observer: range() before any observe()");
  return range_;
}

void MovingAverageObserver::observe(const torch::Tensor& values) {
  require_values(values);
  const auto [min, max] = batch_min_max(values);
  if (observed_ == 0) {
    range_ = {min, max};
  } else {
    range_.min += momentum_ * (min - range_.min);
    range_.max += momentum_ * (max - range_.max);
  }
  observed_ += values.numel();
}

ObservedRange MovingAverageObserver::range() const {
  if (observed_ == 0) throw std::logic_error("moving_average observer: range() before any observe()");
  return range_;
}

void HistogramObserverBase::observe(const torch::Tensor& values) {
  require_values(values);
  const auto flat = values.detach().to(torch::kFloat).reshape({-1});
  const auto [min, max] = batch_min_max(flat);
  if (observed_ == 0) {
    low_ = min;
    high_ = max > min ? max : min + 1e-6;  // constant data still gets a non-empty bin range
  } else if (min < low_ || max > high_) {
    widen(std::min(min, low_), std::max(max, high_));
  }
  const auto hist = torch::histc(flat, kBins, low_, high_).to(torch::kDouble).contiguous();
  const double* data = hist.data_ptr<double>();
  for (int64_t i = 0; i < kBins; ++i) counts_[i] += data[i];
  observed_ += flat.numel();
}

void HistogramObserverBase::widen(double low, double high) {
  const double old_low = low_, old_width = bin_width();
  low_ = low;
  high_ = high;
  const double width = bin_width();
  std::vector<double> counts(kBins, 0.0);
  for (int64_t i = 0; i < kBins; ++i) {
    if (counts_[i] == 0) continue;
    const double a = old_low + i * old_width, b = a + old_width;
    // New bins are at least as wide as old ones: an old bin overlaps at most two of them.
    const int64_t first = std::clamp<int64_t>(static_cast<int64_t>((a - low_) / width), 0, kBins - 1);
    for (int64_t j = first; j < kBins; ++j) {
      const double lo = low_ + j * width, hi = lo + width;
      if (lo >= b) break;
      const double overlap = std::min(b, hi) - std::max(a, lo);
      if (overlap > 0) counts[j] += counts_[i] * overlap / old_width;
    }
  }
  counts_ = std::move(counts);
}

void HistogramObserverBase::require_observed() const {
  if (observed_ == 0) throw std::logic_error(name() + " observer: range() before any observe()");
}

ObservedRange HistogramObserver::range() const {
  require_observed();
  const auto& counts = this->counts();
  double total = 0;
  for (double c : counts) total += c;
  const double tail = kTailFraction * total;
  const double width = bin_width();
  ObservedRange range{low(), high()};
  // Lower end: where the cumulative count from the left reaches `tail`.
  double cumulative = 0;
  for (int64_t i = 0; i < kBins; ++i) {
    if (counts[i] > 0 && cumulative + counts[i] >= tail) {
      range.min = low() + (i + (tail - cumulative) / counts[i]) * width;
      break;
    }
    cumulative += counts[i];
  }
  cumulative = 0;
  for (int64_t i = kBins - 1; i >= 0; --i) {
    if (counts[i] > 0 && cumulative + counts[i] >= tail) {
      range.max = low() + (i + 1 - (tail - cumulative) / counts[i]) * width;
      break;
    }
    cumulative += counts[i];
  }
  return range;
}

ObservedRange MseObserver::range() const {
  require_observed();
  const auto& counts = this->counts();
  const double width = bin_width();
  const double min = std::min(low(), 0.0), max = std::max(high(), 0.0);
  std::vector<double> centres(kBins);
  double total = 0;
  for (int64_t i = 0; i < kBins; ++i) {
    centres[i] = low() + (i + 0.5) * width;
    total += counts[i];
  }
  // Per candidate end: squared clipping error and number of values clipped on that side.
  std::vector<double> lows(kCandidates), highs(kCandidates), low_error(kCandidates, 0.0), high_error(kCandidates, 0.0),
      low_clipped(kCandidates, 0.0), high_clipped(kCandidates, 0.0);
  for (int64_t k = 0; k < kCandidates; ++k) {
    const double fraction = static_cast<double>(k + 1) / kCandidates;
    lows[k] = fraction * min;
    highs[k] = fraction * max;
    for (int64_t i = 0; i < kBins; ++i) {
      if (counts[i] == 0) continue;
      if (centres[i] < lows[k]) {
        low_error[k] += counts[i] * (centres[i] - lows[k]) * (centres[i] - lows[k]);
        low_clipped[k] += counts[i];
      } else if (centres[i] > highs[k]) {
        high_error[k] += counts[i] * (centres[i] - highs[k]) * (centres[i] - highs[k]);
        high_clipped[k] += counts[i];
      }
    }
  }
  ObservedRange best{min, max};
  double best_error = std::numeric_limits<double>::infinity();
  // From the widest down, so a tie keeps the wider range.
  for (int64_t a = kCandidates - 1; a >= 0; --a) {
    for (int64_t b = kCandidates - 1; b >= 0; --b) {
      const double scale = (highs[b] - lows[a]) / 255.0;
      const double inside = std::max(total - low_clipped[a] - high_clipped[b], 0.0);
      const double error = low_error[a] + high_error[b] + inside * scale * scale / 12.0;
      if (error < best_error) {
        best_error = error;
        best = {lows[a], highs[b]};
      }
    }
  }
  return best;
}

const std::vector<std::string>& observer_names() {
  static const std::vector<std::string> names = {"minmax", "moving_average", "histogram", "mse"};
  return names;
}

std::unique_ptr<Observer> make_observer(const std::string& name) {
  if (name == "minmax") return std::make_unique<MinMaxObserver>();
  if (name == "moving_average") return std::make_unique<MovingAverageObserver>();
  if (name == "histogram") return std::make_unique<HistogramObserver>();
  if (name == "mse") return std::make_unique<MseObserver>();
  std::string list;
  for (const auto& valid : observer_names()) list += (list.empty() ? "" : ", ") + valid;
  throw UserError("observer '" + name + "': use one of " + list);
}

}  // namespace tpq::quant
