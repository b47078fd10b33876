#include "tpq/eval/metrics.h"

#include <string>

#include "tpq/core/error.h"

namespace tpq::eval {
namespace {

double ratio(double numerator, double denominator) { return denominator > 0 ? numerator / denominator : 0.0; }

double harmonic_mean(double a, double b) { return a + b > 0 ? 2 * a * b / (a + b) : 0.0; }

}  // namespace

ClassificationMetrics compute_metrics(const std::vector<int64_t>& predicted, const std::vector<int64_t>& truth,
                                      int64_t num_classes, double mean_loss) {
  require(predicted.size() == truth.size(), "metrics: " + std::to_string(predicted.size()) + " predictions for " +
                                                std::to_string(truth.size()) + " labels");
  require(num_classes >= 2, "metrics: need at least 2 classes");
  ClassificationMetrics metrics;
  metrics.count = static_cast<int64_t>(truth.size());
  metrics.loss = mean_loss;
  metrics.confusion_matrix.assign(num_classes, std::vector<int64_t>(num_classes, 0));
  int64_t correct = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    require(truth[i] >= 0 && truth[i] < num_classes && predicted[i] >= 0 && predicted[i] < num_classes,
            "metrics: label out of range [0, " + std::to_string(num_classes) + ") at example " + std::to_string(i));
    ++metrics.confusion_matrix[truth[i]][predicted[i]];
    correct += truth[i] == predicted[i];
  }
  metrics.accuracy = ratio(correct, metrics.count);

  std::vector<double> precision(num_classes), recall(num_classes), f1(num_classes);
  for (int64_t c = 0; c < num_classes; ++c) {
    int64_t predicted_c = 0, actual_c = 0;
    for (int64_t other = 0; other < num_classes; ++other) {
      predicted_c += metrics.confusion_matrix[other][c];
      actual_c += metrics.confusion_matrix[c][other];
    }
    const double true_positive = static_cast<double>(metrics.confusion_matrix[c][c]);
    precision[c] = ratio(true_positive, predicted_c);
    recall[c] = ratio(true_positive, actual_c);
    f1[c] = harmonic_mean(precision[c], recall[c]);
    metrics.macro_precision += precision[c] / num_classes;
    metrics.macro_recall += recall[c] / num_classes;
    metrics.macro_f1 += f1[c] / num_classes;
  }
  if (num_classes == 2) {
    metrics.precision = precision[1];
    metrics.recall = recall[1];
    metrics.f1 = f1[1];
  } else {
    metrics.precision = metrics.macro_precision;
    metrics.recall = metrics.macro_recall;
    metrics.f1 = metrics.macro_f1;
  }
  return metrics;
}

}  // namespace tpq::eval
