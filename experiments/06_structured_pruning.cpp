// 06: structured pruning (attention heads, FFN neurons) removed physically, fine-tuned, measured against FP32.
#include "common/runner.h"

int main(int argc, char** argv) {
  return tpq::experiments::run_experiment(argc, argv, tpq::results::ExperimentId::StructuredPruning);
}
