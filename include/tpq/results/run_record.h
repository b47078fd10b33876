// The results contract: what every experiment writes to metrics.json, as types. Each section
// (metrics, size, speed, memory, provenance) and the per-variant rows are written and read back by
// the same code (run_record.cpp), so the comparison, the charts and the report read fields, never
// string keys. Experiment-specific facts stay JSON: `extra` per row, `experiment_extra` per run.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tpq::results {

struct MetricsSection {  // test-set classification quality
  double accuracy = 0, f1 = 0, precision = 0, recall = 0;  // binary for 2 classes, else macro
  double macro_f1 = 0, macro_precision = 0, macro_recall = 0;
  double loss = 0;  // mean cross-entropy; NaN when not computed
  int64_t count = 0;
  std::vector<std::vector<int64_t>> confusion_matrix;  // [true][predicted]
};

struct SizeSection {  // the saved files, never an estimate; read back as recorded, never recomputed
  uint64_t file_bytes = 0;     // every file of the model directory
  double file_mb = 0;          // file_bytes / 2^20
  uint64_t weights_bytes = 0;  // model.safetensors
  double weights_mb = 0;
  int64_t params = 0, nonzero_params = 0;
  double sparsity = 0;  // 1 - nonzero_params / params
};

// A speed-up against the experiment's FP32 row, timed side by side (eval/speedup_interval.h).
struct SpeedupSection {
  double median = 0, low = 0, high = 0;  // FP32 time / this row's time, with its interval
  double confidence = 0;                 // the interval's coverage; 0: too few rounds for one
  bool measurable() const { return confidence > 0 && (low > 1.0 || high < 1.0); }
};

// The report's wording of a speed-up with its interval: "1.85x（95% 区间 1.80–1.90）", or
// "无可测差异（0.98x，95% 区间 0.93–1.04）" where the interval holds 1.
std::string speedup_with_interval_text(double ratio, double low, double high, bool measurable);

struct InterleavedSection {  // every row of an experiment timed in alternating rounds
  int64_t rounds = 0;        // 0: not timed side by side (01, or a record from before)
  int64_t batch_size = 0, singles_per_round = 0;
  double batch_ms_median = 0, singles_ms_median = 0;
  SpeedupSection throughput_speedup;  // batch_size-sample batches: the tables' speed-up
  SpeedupSection latency_speedup;     // batch 1
};

struct SpeedSection {  // batch-1 latency over test inputs and throughput at a fixed batch
  double latency_ms_p50 = 0, latency_ms_p95 = 0, latency_ms_mean = 0;  // per sample; 0: not measured
  double throughput_samples_s = 0, batch_ms_mean = 0;
  int64_t batch_size = 0, latency_samples = 0, throughput_batches = 0, warmup = 0, threads = 0;
  std::string device;
  InterleavedSection interleaved;  // written as speed.interleaved where rounds > 0
};

struct PhaseMemorySection {  // a phase before the evaluation (01: data, mlm, fine_tuning)
  std::string phase;
  double peak_rss_mb = 0, rss_after_release_mb = 0;
  bool peak_is_phase_only = true;
};

// The report's name for a phase: "data" -> "数据准备与分词", "mlm" -> "MLM 预训练", "fine_tuning" -> "微调".
std::string phase_display_name(const std::string& phase);

struct MemorySection {
  double peak_rss_mb = 0;
  std::string scope;  // "evaluation", or "process lifetime" where the kernel refused a reset
  std::vector<PhaseMemorySection> phases;  // written as memory.phases where a run trained
};

// How the number was made: build, libraries, machine, seed, time.
struct Provenance {
  std::string libtorch_version, blas, blas_library, allocator, cpu_model, git_rev, tpq_version, compiler, build_type;
  int64_t threads = 0;
  int64_t world_size = 1;             // data-parallel ranks that trained this run
  std::string dist_backend = "none";  // their collective backend: gloo, nccl or none
  uint64_t seed = 0;
  std::string device = "cpu";
  std::string started_at;  // UTC ISO-8601
  double wall_s = 0;
  // The model this row started from (model_source_record): {"kind": "pretrained"|"scratch", "id",
  // "revision", "commit", "family"}; null where unknown (a baseline directory without its run record).
  nlohmann::json model_source;

  // This process (core/runtime_info.h): versions, BLAS, CPU, threads, build; seed, device and
  // times are the caller's.
  static Provenance of_this_process();
};

struct RunRecord {  // one measured model: the baseline, or one row of an experiment's table
  std::string experiment;  // e.g. "baseline"
  std::string variant;     // e.g. "fp32", "int8_dynamic_per_channel"
  MetricsSection metrics;
  SizeSection size;
  SpeedSection speed;
  MemorySection memory;
  nlohmann::json config = nlohmann::json::object();  // the full effective configuration
  nlohmann::json extra = nlohmann::json::object();   // row-specific facts (label, model_dir, pruning, ...)
  Provenance provenance;

  std::string label() const;  // extra.label, else the variant
};

// metrics.json of an experiment: the primary row, every row (02-09), and the experiment's facts.
struct ExperimentRecord {
  RunRecord primary;
  std::vector<RunRecord> variants;  // just the primary for a run without a table (01)
  nlohmann::json experiment_extra = nlohmann::json::object();
  bool has_table = false;  // written with "variants" and "experiment_extra"

  const RunRecord* variant(const std::string& name) const;  // nullptr if absent
};

nlohmann::json to_json(const RunRecord& record);
// UserError naming `where` and the missing piece (experiment, variant, metrics.accuracy/f1, size.file_mb).
RunRecord run_record_from_json(const nlohmann::json& json, const std::string& where);
nlohmann::json to_json(const ExperimentRecord& record);
ExperimentRecord experiment_record_from_json(const nlohmann::json& json, const std::string& where);

// Atomic writes, and the reader the report uses (UserError naming the file on any problem).
void write_record(const std::filesystem::path& path, const RunRecord& record);
void write_record(const std::filesystem::path& path, const ExperimentRecord& record);
ExperimentRecord read_experiment_record(const std::filesystem::path& path);

}  // namespace tpq::results
