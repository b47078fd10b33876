// The one place the keys of metrics.json are spelled: every section is written and read here.
#include "tpq/results/run_record.h"

#include <cmath>
#include <limits>

#include "tpq/core/error.h"
#include "tpq/core/runtime_info.h"
#include "tpq/dist/job_info.h"
#include "tpq/io/atomic_file.h"
#include "tpq/results/table.h"

namespace tpq::results {
namespace {

using nlohmann::json;

// Reads one JSON object's fields with type checks; a missing optional field keeps its default.
// Messages name the file and the dotted key: "results/x/metrics.json: no metrics.accuracy".
class FieldReader {
 public:
  FieldReader(const json& object, std::string where, std::string prefix = "")
      : object_(object), where_(std::move(where)), prefix_(std::move(prefix)) {}

  bool has(const char* key) const { return object_.is_object() && object_.contains(key) && !object_[key].is_null(); }

  // JSON null (how NaN is written) reads as NaN.
  void number(const char* key, double& value, bool required = false) const {
    if (!present(key, required)) {
      if (object_.is_object() && object_.contains(key)) value = std::numeric_limits<double>::quiet_NaN();
      return;
    }
    require(object_[key].is_number(), where_ + ": " + prefix_ + key + " must be a number, found " + object_[key].dump());
    value = object_[key].get<double>();
  }
  template <typename Integer>
  void integer(const char* key, Integer& value) const {
    if (!present(key, false)) return;
    require(object_[key].is_number_integer(), where_ + ": " + prefix_ + key + " must be an integer, found " + object_[key].dump());
    value = object_[key].get<Integer>();
  }
  void boolean(const char* key, bool& value) const {
    if (!present(key, false)) return;
    require(object_[key].is_boolean(), where_ + ": " + prefix_ + key + " must be true or false, found " + object_[key].dump());
    value = object_[key].get<bool>();
  }
  void text(const char* key, std::string& value, bool required = false) const {
    if (!present(key, required)) return;
    require(object_[key].is_string(), where_ + ": " + prefix_ + key + " must be a string, found " + object_[key].dump());
    value = object_[key].get<std::string>();
  }
  const json& object(const char* key) const {
    static const json empty = json::object();
    return has(key) && object_[key].is_object() ? object_[key] : empty;
  }

 private:
  bool present(const char* key, bool required) const {
    if (has(key)) return true;
    require(!required, where_ + ": no " + prefix_ + key + " (not a complete tpq results record)");
    return false;
  }

  const json& object_;
  std::string where_;
  std::string prefix_;
};

json metrics_json(const MetricsSection& m) {
  return {{"accuracy", m.accuracy}, {"f1", m.f1},   {"precision", m.precision},
          {"recall", m.recall},     {"macro_f1", m.macro_f1}, {"macro_precision", m.macro_precision},
          {"macro_recall", m.macro_recall}, {"loss", m.loss}, {"count", m.count},
          {"confusion_matrix", m.confusion_matrix}};
}

MetricsSection read_metrics(const json& object, const std::string& where) {
  MetricsSection m;
  const FieldReader r(object, where, "metrics.");
  r.number("accuracy", m.accuracy, /*required=*/true);
  r.number("f1", m.f1, /*required=*/true);
  r.number("precision", m.precision);
  r.number("recall", m.recall);
  r.number("macro_f1", m.macro_f1);
  r.number("macro_precision", m.macro_precision);
  r.number("macro_recall", m.macro_recall);
  r.number("loss", m.loss);
  r.integer("count", m.count);
  if (r.has("confusion_matrix")) {
    try {
      m.confusion_matrix = object["confusion_matrix"].get<std::vector<std::vector<int64_t>>>();
    } catch (const json::exception&) {
      throw UserError(where + ": metrics.confusion_matrix must be a matrix of counts");
    }
  }
  return m;
}

json size_json(const SizeSection& s) {
  return {{"file_bytes", s.file_bytes},       {"file_mb", s.file_mb},   {"weights_bytes", s.weights_bytes},
          {"weights_mb", s.weights_mb},       {"params", s.params},     {"nonzero_params", s.nonzero_params},
          {"sparsity", s.sparsity}};
}

SizeSection read_size(const json& object, const std::string& where) {
  SizeSection s;
  const FieldReader r(object, where, "size.");
  r.integer("file_bytes", s.file_bytes);
  r.number("file_mb", s.file_mb, /*required=*/true);
  r.integer("weights_bytes", s.weights_bytes);
  r.number("weights_mb", s.weights_mb);
  r.integer("params", s.params);
  r.integer("nonzero_params", s.nonzero_params);
  r.number("sparsity", s.sparsity);
  return s;
}

json speedup_json(const SpeedupSection& s) {
  return {{"median", s.median}, {"low", s.low}, {"high", s.high}, {"confidence", s.confidence}, {"measurable", s.measurable()}};
}

json interleaved_json(const InterleavedSection& s) {
  return {{"rounds", s.rounds},
          {"batch_size", s.batch_size},
          {"singles_per_round", s.singles_per_round},
          {"batch_ms_median", s.batch_ms_median},
          {"singles_ms_median", s.singles_ms_median},
          {"throughput_speedup", speedup_json(s.throughput_speedup)},
          {"latency_speedup", speedup_json(s.latency_speedup)}};
}

SpeedupSection read_speedup(const json& object, const std::string& where, const std::string& prefix) {
  SpeedupSection s;
  const FieldReader r(object, where, prefix);
  r.number("median", s.median, /*required=*/true);
  r.number("low", s.low, /*required=*/true);
  r.number("high", s.high, /*required=*/true);
  r.number("confidence", s.confidence);
  return s;
}

InterleavedSection read_interleaved(const json& object, const std::string& where) {
  InterleavedSection s;
  const FieldReader r(object, where, "speed.interleaved.");
  r.integer("rounds", s.rounds);
  r.integer("batch_size", s.batch_size);
  r.integer("singles_per_round", s.singles_per_round);
  r.number("batch_ms_median", s.batch_ms_median);
  r.number("singles_ms_median", s.singles_ms_median);
  s.throughput_speedup = read_speedup(r.object("throughput_speedup"), where, "speed.interleaved.throughput_speedup.");
  s.latency_speedup = read_speedup(r.object("latency_speedup"), where, "speed.interleaved.latency_speedup.");
  return s;
}

json speed_json(const SpeedSection& s) {
  json out = {{"latency_ms_per_sample_p50", s.latency_ms_p50},
          {"latency_ms_per_sample_p95", s.latency_ms_p95},
          {"latency_ms_per_sample_mean", s.latency_ms_mean},
          {"throughput_samples_s", s.throughput_samples_s},
          {"batch_ms_mean", s.batch_ms_mean},
          {"batch_size", s.batch_size},
          {"latency_samples", s.latency_samples},
          {"throughput_batches", s.throughput_batches},
          {"warmup", s.warmup},
          {"threads", s.threads},
          {"device", s.device}};
  if (s.interleaved.rounds > 0) out["interleaved"] = interleaved_json(s.interleaved);
  return out;
}

SpeedSection read_speed(const json& object, const std::string& where) {
  SpeedSection s;
  const FieldReader r(object, where, "speed.");
  r.number("latency_ms_per_sample_p50", s.latency_ms_p50);
  r.number("latency_ms_per_sample_p95", s.latency_ms_p95);
  r.number("latency_ms_per_sample_mean", s.latency_ms_mean);
  r.number("throughput_samples_s", s.throughput_samples_s);
  r.number("batch_ms_mean", s.batch_ms_mean);
  r.integer("batch_size", s.batch_size);
  r.integer("latency_samples", s.latency_samples);
  r.integer("throughput_batches", s.throughput_batches);
  r.integer("warmup", s.warmup);
  r.integer("threads", s.threads);
  r.text("device", s.device);
  if (r.has("interleaved")) s.interleaved = read_interleaved(r.object("interleaved"), where);
  return s;
}

void write_provenance(const Provenance& p, json& record) {
  record["libtorch_version"] = p.libtorch_version;
  record["blas"] = p.blas;
  record["blas_library"] = p.blas_library;
  record["allocator"] = p.allocator;
  record["cpu_model"] = p.cpu_model;
  record["threads"] = p.threads;
  record["world_size"] = p.world_size;
  record["dist_backend"] = p.dist_backend;
  record["git_rev"] = p.git_rev;
  record["tpq_version"] = p.tpq_version;
  record["compiler"] = p.compiler;
  record["build_type"] = p.build_type;
  record["seed"] = p.seed;
  record["device"] = p.device;
  record["started_at"] = p.started_at;
  record["wall_s"] = p.wall_s;
  record["model_source"] = p.model_source;
}

Provenance read_provenance(const json& record, const std::string& where) {
  Provenance p;
  const FieldReader r(record, where);
  for (auto [key, field] : {std::pair{"libtorch_version", &p.libtorch_version}, {"blas", &p.blas}, {"blas_library", &p.blas_library},
                            {"allocator", &p.allocator}, {"cpu_model", &p.cpu_model}, {"git_rev", &p.git_rev},
                            {"tpq_version", &p.tpq_version}, {"compiler", &p.compiler}, {"build_type", &p.build_type},
                            {"device", &p.device}, {"started_at", &p.started_at}}) {
    r.text(key, *field);
  }
  r.integer("threads", p.threads);
  r.integer("world_size", p.world_size);  // absent in records before data parallelism: 1, none
  r.text("dist_backend", p.dist_backend);
  r.integer("seed", p.seed);
  r.number("wall_s", p.wall_s);
  if (r.has("model_source")) p.model_source = record["model_source"];
  return p;
}

}  // namespace

Provenance Provenance::of_this_process() {
  const json runtime = runtime_record();
  Provenance p;
  p.libtorch_version = runtime.at("libtorch_version");
  p.blas = runtime.at("blas");
  p.blas_library = runtime.at("blas_library");
  p.allocator = runtime.at("allocator");
  p.cpu_model = runtime.at("cpu_model");
  p.threads = runtime.at("threads");
  p.world_size = dist::this_job().world_size;
  p.dist_backend = dist::this_job().backend;
  p.git_rev = runtime.at("git_rev");
  p.tpq_version = runtime.at("tpq_version");
  p.compiler = runtime.at("compiler");
  p.build_type = runtime.at("build_type");
  return p;
}

std::string RunRecord::label() const {
  const auto it = extra.find("label");
  return it != extra.end() && it->is_string() ? it->get<std::string>() : variant;
}

const RunRecord* ExperimentRecord::variant(const std::string& name) const {
  for (const auto& row : variants) {
    if (row.variant == name) return &row;
  }
  return nullptr;
}

namespace {

json memory_json(const MemorySection& memory) {
  json out = {{"peak_rss_mb", memory.peak_rss_mb}, {"scope", memory.scope}};
  if (memory.phases.empty()) return out;
  out["phases"] = json::array();
  for (const auto& phase : memory.phases) {
    out["phases"].push_back({{"phase", phase.phase},
                             {"peak_rss_mb", phase.peak_rss_mb},
                             {"rss_after_release_mb", phase.rss_after_release_mb},
                             {"peak_is_phase_only", phase.peak_is_phase_only}});
  }
  return out;
}

MemorySection read_memory(const json& object, const std::string& where) {
  MemorySection memory;
  const FieldReader r(object, where, "memory.");
  r.number("peak_rss_mb", memory.peak_rss_mb);
  r.text("scope", memory.scope);
  if (!r.has("phases")) return memory;
  require(object["phases"].is_array(), where + ": memory.phases must be an array, found " + object["phases"].dump());
  for (const auto& entry : object["phases"]) {
    require(entry.is_object(), where + ": memory.phases holds a non-object: " + entry.dump());
    const FieldReader p(entry, where, "memory.phases[].");
    PhaseMemorySection phase;
    p.text("phase", phase.phase, /*required=*/true);
    p.number("peak_rss_mb", phase.peak_rss_mb, /*required=*/true);
    p.number("rss_after_release_mb", phase.rss_after_release_mb);
    p.boolean("peak_is_phase_only", phase.peak_is_phase_only);
    memory.phases.push_back(phase);
  }
  return memory;
}

}  // namespace

std::string speedup_with_interval_text(double ratio, double low, double high, bool measurable) {
  const std::string range = "95% 区间 " + format_number(low, 2) + "–" + format_number(high, 2);
  return measurable ? format_number(ratio, 2) + "x（" + range + "）" : "无可测差异（" + format_number(ratio, 2) + "x，" + range + "）";
}

std::string phase_display_name(const std::string& phase) {
  if (phase == "data") return "数据准备与分词";
  if (phase == "mlm") return "MLM 预训练";
  if (phase == "fine_tuning") return "微调";
  return phase;
}

json to_json(const RunRecord& record) {
  json out = json::object();
  write_provenance(record.provenance, out);
  out["experiment"] = record.experiment;
  out["variant"] = record.variant;
  out["metrics"] = metrics_json(record.metrics);
  out["size"] = size_json(record.size);
  out["speed"] = speed_json(record.speed);
  out["memory"] = memory_json(record.memory);
  out["config"] = record.config;
  if (!record.extra.empty()) out["extra"] = record.extra;
  return out;
}

RunRecord run_record_from_json(const json& json_record, const std::string& where) {
  require(json_record.is_object(), where + ": not a JSON object");
  RunRecord record;
  const FieldReader r(json_record, where);
  r.text("experiment", record.experiment, /*required=*/true);
  r.text("variant", record.variant, /*required=*/true);
  record.metrics = read_metrics(r.object("metrics"), where);
  record.size = read_size(r.object("size"), where);
  record.speed = read_speed(r.object("speed"), where);
  record.memory = read_memory(r.object("memory"), where);
  record.config = r.object("config");
  record.extra = r.object("extra");
  record.provenance = read_provenance(json_record, where);
  return record;
}

json to_json(const ExperimentRecord& record) {
  json out = to_json(record.primary);
  if (!record.has_table) return out;
  out["variants"] = json::array();
  for (const auto& row : record.variants) out["variants"].push_back(to_json(row));
  out["experiment_extra"] = record.experiment_extra;
  return out;
}

ExperimentRecord experiment_record_from_json(const json& json_record, const std::string& where) {
  ExperimentRecord record;
  record.primary = run_record_from_json(json_record, where);
  if (!json_record.contains("variants")) {
    record.variants = {record.primary};
    return record;
  }
  const auto& rows = json_record["variants"];
  require(rows.is_array() && !rows.empty(), where + ": \"variants\" is not a non-empty array");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    record.variants.push_back(run_record_from_json(rows[i], where + ": variants[" + std::to_string(i) + "]"));
  }
  record.experiment_extra = FieldReader(json_record, where).object("experiment_extra");
  record.has_table = true;
  return record;
}

void write_record(const std::filesystem::path& path, const RunRecord& record) { io::write_json_atomic(path, to_json(record)); }

void write_record(const std::filesystem::path& path, const ExperimentRecord& record) {
  io::write_json_atomic(path, to_json(record));
}

ExperimentRecord read_experiment_record(const std::filesystem::path& path) {
  return experiment_record_from_json(io::read_json_file(path), path.string());
}

}  // namespace tpq::results
