// Experiment 01: train the baseline classifier every other experiment compares against, and
// write results/baseline/{model/, config.json, metrics.json, evaluation_results.csv,
// training_curve.png, training_curve_*.csv, dataset_stats.json}.
#pragma once

#include "tpq/pipeline/experiment.h"

namespace tpq::pipeline {

ExperimentDefinition baseline_definition();

}  // namespace tpq::pipeline
