// The skeleton of experiments 02-09: load the baseline (checkpoint, data of its run), measure it as
// the FP32 row, then build and measure each planned variant from a fresh copy of it, and write the
// table with the experiment's summary. A subclass supplies only its options, plan and summary.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pipeline/baseline_context.h"
#include "tpq/pipeline/experiment.h"
#include "pipeline/variant_table.h"

namespace tpq::pipeline {

// A measured row's model: saved in `dir` (its bytes are the row's size), with the row's own facts.
struct BuiltVariant {
  model::EncoderClassifier model{nullptr};
  std::filesystem::path dir;
  nlohmann::json extra = nlohmann::json::object();
};

struct VariantPlan {
  std::string variant;  // "int8_dynamic_per_channel"
  std::string label;    // the table's 方法 column
  std::function<BuiltVariant()> build;
};

struct ExperimentSummary {
  std::string primary_variant;                      // the row metrics.json leads with
  nlohmann::json extra = nlohmann::json::object();  // experiment_extra
};

class VariantExperiment : public Experiment {
 public:
  void run(ExperimentRun& run) final;

 protected:
  // The baseline checkpoint to compress; empty: <results>/baseline/model beside this run.
  virtual std::filesystem::path baseline_model() const = 0;
  // Facts for the FP32 row (e.g. its training time).
  virtual nlohmann::json fp32_extra() { return nlohmann::json::object(); }
  // The rows after FP32, in table order; called once the baseline is loaded and measured.
  virtual std::vector<VariantPlan> plan() = 0;
  // After every row: extra tables and charts under dir(), and what metrics.json records.
  virtual ExperimentSummary summarize() = 0;

  // For plan(), the builds and summarize():
  ExperimentRun& experiment_run() { return *run_; }
  const ExperimentConfig& config() const { return baseline_->config; }  // with the baseline run's data
  BaselineContext& baseline() { return *baseline_; }
  VariantTable& table() { return *table_; }
  torch::Device device() const { return run_->device(); }
  std::filesystem::path dir(const std::filesystem::path& relative = {}) { return relative.empty() ? run_->dir() : run_->dir() / relative; }
  // A fresh FP32 copy of the baseline model, for a variant to change.
  model::EncoderClassifier fresh_baseline() { return clone_baseline(*baseline_, run_->device()); }

 private:
  ExperimentRun* run_ = nullptr;
  std::optional<BaselineContext> baseline_;
  std::optional<VariantTable> table_;
};

}  // namespace tpq::pipeline
