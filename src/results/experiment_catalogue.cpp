#include "tpq/results/experiment_catalogue.h"

#include <stdexcept>

namespace tpq::results {

const std::vector<ExperimentEntry>& experiment_catalogue() {
  static const std::string int8_cpu = "INT8 kernels are CPU kernels";
  static const std::vector<ExperimentEntry> catalogue = {
      {ExperimentId::Baseline, 1, "01_baseline_training", "baseline", "基线训练", "Baseline training", "", false},
      {ExperimentId::DynamicQuantization, 2, "02_dynamic_quantization", "dynamic_quant", "动态量化",
       "Dynamic INT8 quantization", int8_cpu, true},
      {ExperimentId::StaticQuantization, 3, "03_static_quantization", "static_quant", "静态量化",
       "Static INT8 quantization", int8_cpu, true},
      {ExperimentId::Qat, 4, "04_qat_experiment", "qat", "量化感知训练", "Quantization-aware training", int8_cpu, true},
      {ExperimentId::MixedPrecision, 5, "05_mixed_precision", "mixed_precision", "混合精度", "Mixed precision",
       "INT8 and the FP16/BF16 kernels here are CPU kernels", true},
      {ExperimentId::StructuredPruning, 6, "06_structured_pruning", "structured_pruning", "结构化剪枝",
       "Structured pruning", "", true},
      {ExperimentId::UnstructuredPruning, 7, "07_unstructured_pruning", "unstructured_pruning", "非结构化剪枝",
       "Unstructured pruning", "", true},
      {ExperimentId::ProgressivePruning, 8, "08_progressive_pruning", "progressive_pruning", "渐进式剪枝",
       "Progressive pruning", "", true},
      {ExperimentId::Combined, 9, "09_combined", "combined", "剪枝 + 量化组合", "Pruning + quantization combined",
       int8_cpu, true},
      {ExperimentId::Comparison, 10, "10_comprehensive_comparison", "comparison", "综合对比", "Comprehensive comparison",
       "", false},
  };
  return catalogue;
}

const ExperimentEntry& catalogue_entry(ExperimentId id) {
  for (const auto& entry : experiment_catalogue()) {
    if (entry.id == id) return entry;
  }
  throw std::logic_error("experiment id missing from the catalogue");
}

const ExperimentEntry* find_by_program(const std::string& program) {
  for (const auto& entry : experiment_catalogue()) {
    if (entry.program == program) return &entry;
  }
  return nullptr;
}

const ExperimentEntry* find_by_results_dir(const std::string& results_dir) {
  for (const auto& entry : experiment_catalogue()) {
    if (entry.results_dir == results_dir) return &entry;
  }
  return nullptr;
}

}  // namespace tpq::results
