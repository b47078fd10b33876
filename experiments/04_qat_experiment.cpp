// 04: quantization-aware training of the baseline into static INT8, against FP32 and static PTQ.
#include "common/runner.h"

int main(int argc, char** argv) {
  return tpq::experiments::run_experiment(argc, argv, tpq::results::ExperimentId::Qat);
}
