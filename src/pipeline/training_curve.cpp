#include "pipeline/training_curve.h"

#include "tpq/results/chart.h"
#include "tpq/results/chart_text.h"

namespace tpq::pipeline {

void draw_training_curve(const train::TrainResult& result, const std::string& name, const std::string& validation_note,
                         const std::filesystem::path& png) {
  if (result.epochs.empty()) return;
  const std::string note = validation_note.empty() ? "" : " (" + validation_note + ")";
  results::Series step_loss{name + results::chart_text("train loss (per step window)", "训练损失（按步窗口）"), {}, {}, "lines"};
  for (const auto& step : result.steps) {
    step_loss.x.push_back(step.epoch);
    step_loss.y.push_back(step.loss);
  }
  results::Series val_loss{results::chart_text("validation loss", "验证损失") + note, {}, {}}, train_acc{results::chart_text("train accuracy", "训练准确率"), {}, {}},
      val_acc{results::chart_text("validation accuracy", "验证准确率") + note, {}, {}};
  for (const auto& epoch : result.epochs) {
    val_loss.x.push_back(epoch.epoch);
    val_loss.y.push_back(epoch.validation.loss);
    train_acc.x.push_back(epoch.epoch);
    train_acc.y.push_back(epoch.train_accuracy);
    val_acc.x.push_back(epoch.epoch);
    val_acc.y.push_back(epoch.validation.accuracy);
  }
  const std::string loss_title = name.empty() ? results::chart_text("Loss", "损失") : name + results::chart_text("loss", "损失");
  const std::string accuracy_title = name.empty() ? results::chart_text("Accuracy", "准确率") : name + results::chart_text("accuracy", "准确率");
  results::render_panels({{loss_title, results::chart_text("epoch", "轮次 (epoch)"), results::chart_text("cross-entropy", "交叉熵"), {step_loss, val_loss}},
                          {accuracy_title, results::chart_text("epoch", "轮次 (epoch)"), results::chart_text("accuracy", "准确率"), {train_acc, val_acc}}},
                         png);
}

}  // namespace tpq::pipeline
