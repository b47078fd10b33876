// 10: comprehensive comparison of every finished experiment (reads results/*/metrics.json, measures nothing).
#include "common/runner.h"

int main(int argc, char** argv) {
  return tpq::experiments::run_experiment(argc, argv, tpq::results::ExperimentId::Comparison);
}
