// The one command-line driver of every numbered experiment: common flags (--config, --profile,
// --output_dir, --device, --seed, --threads, --allow-slow-blas, --log-level) and the experiment's
// own flags from its registry definition, layered config loading, BLAS check, the shared
// ExperimentRun skeleton, and clean one-line errors (exit 2 for user errors, 3 for internal ones).
#pragma once

#include "tpq/results/experiment_catalogue.h"

namespace tpq::experiments {

int run_experiment(int argc, char** argv, results::ExperimentId id);

}  // namespace tpq::experiments
