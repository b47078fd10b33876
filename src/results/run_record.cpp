#include "tpq/results/run_record.h"

#include "tpq/core/runtime_info.h"
#include "tpq/io/atomic_file.h"

namespace tpq::results {

nlohmann::json RunRecord::to_json() const {
  nlohmann::json record = runtime_record();
  record["experiment"] = experiment;
  record["variant"] = variant;
  record["metrics"] = metrics;
  record["size"] = size;
  record["speed"] = speed;
  record["memory"] = memory;
  record["config"] = config;
  record["seed"] = seed;
  record["device"] = device;
  record["started_at"] = started_at;
  record["wall_s"] = wall_s;
  if (!extra.empty()) record["extra"] = extra;
  return record;
}

void write_record(const std::filesystem::path& path, const RunRecord& record) {
  io::write_json_atomic(path, record.to_json());
}

}  // namespace tpq::results
