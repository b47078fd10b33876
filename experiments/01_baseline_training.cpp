// 01: train the baseline BERT classifier (from scratch, or fine-tune a local HF checkpoint).
#include "common/runner.h"

int main(int argc, char** argv) {
  return tpq::experiments::run_experiment(argc, argv, tpq::results::ExperimentId::Baseline);
}
