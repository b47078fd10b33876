// 07: unstructured magnitude pruning of the encoder Linear weights (global and local), fine-tuned
// with masks held, saved in the compressed sparse format, measured against FP32.
#include "common/runner.h"

int main(int argc, char** argv) {
  return tpq::experiments::run_experiment(argc, argv, tpq::results::ExperimentId::UnstructuredPruning);
}
