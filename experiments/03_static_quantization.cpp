// 03: static INT8 quantization of the baseline (calibrated activations; observers x weight granularities),
// side by side with FP32.
#include "common/runner.h"

int main(int argc, char** argv) {
  return tpq::experiments::run_experiment(argc, argv, tpq::results::ExperimentId::StaticQuantization);
}
