// 02: dynamic INT8 quantization of the baseline (per-tensor and per-channel), side by side with FP32.
#include "common/runner.h"

int main(int argc, char** argv) {
  return tpq::experiments::run_experiment(argc, argv, tpq::results::ExperimentId::DynamicQuantization);
}
