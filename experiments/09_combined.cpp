// 09: pruning and quantization combined in both orders (prune -> quantize, quantize -> prune).
#include "common/runner.h"

int main(int argc, char** argv) {
  return tpq::experiments::run_experiment(argc, argv, tpq::results::ExperimentId::Combined);
}
