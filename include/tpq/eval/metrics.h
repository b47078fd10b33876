// Classification metrics from predicted and true labels: accuracy, precision, recall, F1
// (binary for 2 classes, macro for more; both reported), confusion matrix, mean loss.
#pragma once

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

namespace tpq::eval {

struct ClassificationMetrics {
  double accuracy = 0;
  double precision = 0;  // binary (positive class 1) when num_classes == 2, else macro
  double recall = 0;
  double f1 = 0;
  double macro_precision = 0;
  double macro_recall = 0;
  double macro_f1 = 0;
  double loss = 0;  // mean cross-entropy; NaN if not computed
  int64_t count = 0;
  std::vector<std::vector<int64_t>> confusion_matrix;  // [true][predicted]

};

// Precision/recall/F1 of a class with no predictions (or no examples) are 0, as sklearn's
// zero_division=0. UserError if sizes differ or a label is outside [0, num_classes).
ClassificationMetrics compute_metrics(const std::vector<int64_t>& predicted, const std::vector<int64_t>& truth,
                                      int64_t num_classes, double mean_loss);

}  // namespace tpq::eval
