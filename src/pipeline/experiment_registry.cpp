// Pairs each catalogue entry (results/experiment_catalogue.h) with its experiment's definition.
#include "tpq/pipeline/experiment.h"

#include <stdexcept>

#include "pipeline/baseline.h"
#include "pipeline/combined.h"
#include "pipeline/comprehensive_comparison.h"
#include "pipeline/dynamic_quantization.h"
#include "pipeline/mixed_precision.h"
#include "pipeline/progressive_pruning.h"
#include "pipeline/qat.h"
#include "pipeline/static_quantization.h"
#include "pipeline/structured_pruning.h"
#include "pipeline/unstructured_pruning.h"

namespace tpq::pipeline {
namespace {

ExperimentDefinition define(results::ExperimentId id) {
  using results::ExperimentId;
  switch (id) {
    case ExperimentId::Baseline: return baseline_definition();
    case ExperimentId::DynamicQuantization: return dynamic_quantization_definition();
    case ExperimentId::StaticQuantization: return static_quantization_definition();
    case ExperimentId::Qat: return qat_definition();
    case ExperimentId::MixedPrecision: return mixed_precision_definition();
    case ExperimentId::StructuredPruning: return structured_pruning_definition();
    case ExperimentId::UnstructuredPruning: return unstructured_pruning_definition();
    case ExperimentId::ProgressivePruning: return progressive_pruning_definition();
    case ExperimentId::Combined: return combined_definition();
    case ExperimentId::Comparison: return comprehensive_comparison_definition();
  }
  throw std::logic_error("experiment id without a definition");
}

}  // namespace

const ExperimentDefinition& experiment_definition(results::ExperimentId id) {
  static const auto definitions = [] {
    std::vector<ExperimentDefinition> all;
    for (const auto& entry : results::experiment_catalogue()) all.push_back(define(entry.id));
    return all;
  }();
  for (const auto& definition : definitions) {
    if (definition.id == id) return definition;
  }
  throw std::logic_error("experiment id without a definition");
}

ConfigFlag baseline_model_flag(const std::string& section) {
  return {"--model_path,--model-path,--baseline_model,--baseline-model", section + ".baseline_model",
          "Baseline checkpoint: a dir or a Hub id of a fine-tuned model (default: baseline/model beside this experiment's results)"};
}

}  // namespace tpq::pipeline
