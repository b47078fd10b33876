#include "pipeline/training_curve.h"

#include "tpq/results/chart.h"

namespace tpq::pipeline {

void draw_training_curve(const train::TrainResult& result, const std::string& name, const std::string& validation_note,
                         const std::filesystem::path& png) {
  if (result.epochs.empty()) return;
  results::Series step_loss{name + "train loss (per step window)", {}, {}, "lines"};
  for (const auto& step : result.steps) {
    step_loss.x.push_back(step.epoch);
    step_loss.y.push_back(step.loss);
  }
  results::Series val_loss{"validation loss" + validation_note, {}, {}}, train_acc{"train accuracy", {}, {}},
      val_acc{"validation accuracy" + validation_note, {}, {}};
  for (const auto& epoch : result.epochs) {
    val_loss.x.push_back(epoch.epoch);
    val_loss.y.push_back(epoch.validation.loss);
    train_acc.x.push_back(epoch.epoch);
    train_acc.y.push_back(epoch.train_accuracy);
    val_acc.x.push_back(epoch.epoch);
    val_acc.y.push_back(epoch.validation.accuracy);
  }
  const std::string loss_title = name.empty() ? "Loss" : name + "loss";
  const std::string accuracy_title = name.empty() ? "Accuracy" : name + "accuracy";
  results::render_panels({{loss_title, "epoch", "cross-entropy", {step_loss, val_loss}},
                          {accuracy_title, "epoch", "accuracy", {train_acc, val_acc}}},
                         png);
}

}  // namespace tpq::pipeline
