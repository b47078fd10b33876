// 08: gradual magnitude pruning (cubic or linear schedule) with fine-tuning between steps, against
// one-shot pruning to the final sparsity with the same fine-tuning budget.
#include "common/runner.h"

int main(int argc, char** argv) {
  return tpq::experiments::run_experiment(argc, argv, tpq::results::ExperimentId::ProgressivePruning);
}
