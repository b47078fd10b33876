// Activation observers for static quantization: each watches the values one tensor takes over the
// calibration batches and proposes the float range [min, max] that its quint8 grid should cover.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <torch/types.h>

namespace tpq::quant {

struct ObservedRange {
  double min = 0;
  double max = 0;
};

class Observer {
 public:
  virtual ~Observer() = default;
  // values: any shape, float; may be called once per calibration batch.
  virtual void observe(const torch::Tensor& values) = 0;
  // The range to quantize over; std::logic_error if nothing was observed.
  virtual ObservedRange range() const = 0;
  virtual std::string name() const = 0;
  int64_t observed_values() const { return observed_; }

 protected:
  int64_t observed_ = 0;
};

// Running min and max of everything seen.
class MinMaxObserver : public Observer {
 public:
  void observe(const torch::Tensor& values) override;
  ObservedRange range() const override;
  std::string name() const override { return "minmax"; }

 private:
  ObservedRange range_;
};

// torch's MovingAverageMinMaxObserver: the first batch sets min/max, each later batch moves them
// by momentum * (batch value - current value).
class MovingAverageObserver : public Observer {
 public:
  explicit MovingAverageObserver(double momentum = 0.01) : momentum_(momentum) {}
  void observe(const torch::Tensor& values) override;
  ObservedRange range() const override;
  std::string name() const override { return "moving_average"; }

 private:
  double momentum_;
  ObservedRange range_;
};

// A 2048-bin histogram over [observed min, observed max]; when a batch widens the range, the old
// counts are spread over the new bins in proportion to overlap (uniform within a bin).
class HistogramObserverBase : public Observer {
 public:
  static constexpr int64_t kBins = 2048;
  void observe(const torch::Tensor& values) override;
  const std::vector<double>& counts() const { return counts_; }
  double low() const { return low_; }
  double high() const { return high_; }

 protected:
  void require_observed() const;
  double bin_width() const { return (high_ - low_) / kBins; }

 private:
  void widen(double low, double high);
  std::vector<double> counts_ = std::vector<double>(kBins, 0.0);
  double low_ = 0, high_ = 0;
};

// Clips the tails: range = [q(tail), q(1 - tail)] of the histogram with tail = 0.005 % on each
// side (0.01 % of all values clipped in total), interpolated linearly inside a bin.
class HistogramObserver : public HistogramObserverBase {
 public:
  static constexpr double kTailFraction = 0.00005;
  ObservedRange range() const override;
  std::string name() const override { return "histogram"; }
};

// Searches the clipping range minimizing the expected quint8 quantization MSE of the histogram.
// With the range widened to contain 0 (as ActivationQuant does), the lower end is a*min and the
// upper end b*max, a and b independently in {1/100, ..., 100/100} (100 x 100 candidates). Each
// value inside [lo, hi] costs scale^2/12 (rounding, scale = (hi - lo)/255), each value outside its
// squared distance to the nearest end (values taken at their bin centres).
class MseObserver : public HistogramObserverBase {
 public:
  static constexpr int64_t kCandidates = 100;
  ObservedRange range() const override;
  std::string name() const override { return "mse"; }
};

// minmax, moving_average, histogram, mse.
const std::vector<std::string>& observer_names();
// UserError naming the valid observers for any other name.
std::unique_ptr<Observer> make_observer(const std::string& name);

}  // namespace tpq::quant
