// 05: FP16 / BF16 / INT8 / mixed precision (INT8 except the most INT8-sensitive Linears) vs FP32.
#include "common/runner.h"

int main(int argc, char** argv) {
  return tpq::experiments::run_experiment(argc, argv, tpq::results::ExperimentId::MixedPrecision);
}
