// 10: comprehensive comparison of every finished experiment (reads results/*/metrics.json, measures nothing).
#include "common/runner.h"
#include "tpq/pipeline/comprehensive_comparison.h"

int main(int argc, char** argv) {
  tpq::experiments::ExperimentSpec spec;
  spec.program = "10_comprehensive_comparison";
  spec.description = "Summary table, Pareto front, best configurations and charts across all finished experiments";
  spec.results_subdir = "comparison";
  spec.measures_speed = false;
  spec.extra_sections = {"comparison"};
  spec.flags = {
      {"--results-dir,--results_dir", "comparison.results_dir", "Directory holding <experiment>/metrics.json"},
      {"--max-accuracy-drop,--max_accuracy_drop", "comparison.max_accuracy_drop_points",
       "Accuracy drop (percentage points) allowed for the best-compression and trade-off picks"},
  };
  spec.run = tpq::pipeline::run_comprehensive_comparison;
  return tpq::experiments::run_experiment(argc, argv, spec);
}
