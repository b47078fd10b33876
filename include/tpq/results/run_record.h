// The results record every experiment writes (metrics.json): what was measured, on which model
// and data, and everything needed to trace the number back to its run (config, seed, git
// revision, LibTorch, BLAS, CPU, threads, device, time).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace tpq::results {

struct RunRecord {
  std::string experiment;  // e.g. "baseline"
  std::string variant;     // e.g. "fp32", "int8_dynamic_per_channel"
  nlohmann::json metrics = nlohmann::json::object();  // accuracy, f1, precision, recall, confusion_matrix, loss
  nlohmann::json size = nlohmann::json::object();     // file_bytes, file_mb, params, nonzero_params, sparsity
  nlohmann::json speed = nlohmann::json::object();    // latency p50/p95, throughput, batch size, threads, device
  nlohmann::json memory = nlohmann::json::object();   // peak_rss_mb
  nlohmann::json config = nlohmann::json::object();   // the full effective configuration
  nlohmann::json extra = nlohmann::json::object();    // experiment-specific facts
  uint64_t seed = 0;
  std::string device = "cpu";
  std::string started_at;  // UTC ISO-8601
  double wall_s = 0;

  // Adds libtorch_version, blas, cpu_model, threads, git_rev, ... (runtime_record()).
  nlohmann::json to_json() const;
};

// Atomically writes record.to_json() to path.
void write_record(const std::filesystem::path& path, const RunRecord& record);

}  // namespace tpq::results
