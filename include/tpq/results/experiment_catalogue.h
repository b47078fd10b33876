// The one list of numbered experiments, in run order: number, program, results directory, titles and
// whether it needs the CPU. Programs, run_all.sh (through `tpq experiments --list`), the comparison,
// the charts and the report all read it here; the names follow the course guide, not one rule.
#pragma once

#include <string>
#include <vector>

namespace tpq::results {

enum class ExperimentId {
  Baseline,
  DynamicQuantization,
  StaticQuantization,
  Qat,
  MixedPrecision,
  StructuredPruning,
  UnstructuredPruning,
  ProgressivePruning,
  Combined,
  Comparison,
};

struct ExperimentEntry {
  ExperimentId id;
  int number;                  // 1 ... 10
  std::string program;         // "02_dynamic_quantization"
  std::string results_dir;     // "dynamic_quant": results/<results_dir>/
  std::string title_zh;        // "动态量化"
  std::string title_en;        // "Dynamic INT8 quantization"
  std::string cpu_only_reason; // empty: any device; else why --device must be cpu
  bool compares_variants;      // 02-09: a table of variants beside the re-measured FP32 baseline

  bool cpu_only() const { return !cpu_only_reason.empty(); }
};

// All ten, in run order.
const std::vector<ExperimentEntry>& experiment_catalogue();
const ExperimentEntry& catalogue_entry(ExperimentId id);
// nullptr when no experiment has that program name / results directory.
const ExperimentEntry* find_by_program(const std::string& program);
const ExperimentEntry* find_by_results_dir(const std::string& results_dir);

}  // namespace tpq::results
