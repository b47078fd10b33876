// training_curve.png of a training run (01's baseline, 04's QAT): loss per step window and per
// epoch, train and validation accuracy per epoch.
#pragma once

#include <filesystem>
#include <string>

#include "tpq/train/trainer.h"

namespace tpq::pipeline {

// `name` prefixes the titles and the train-loss series ("QAT "); `validation_note` follows the
// validation series (" (fake-quant)"). Nothing is drawn for a run without epochs.
void draw_training_curve(const train::TrainResult& result, const std::string& name, const std::string& validation_note,
                         const std::filesystem::path& png);

}  // namespace tpq::pipeline
