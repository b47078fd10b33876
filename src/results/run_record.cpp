#include "tpq/results/run_record.h"

#include "tpq/core/runtime_info.h"
#include "tpq/io/atomic_file.h"

namespace tpq::results {

nlohmann::json RunRecord::to_json() const {
  nlohmann::json record = {{"experiment", experiment}, {"variant", variant},   {"metrics", metrics},
                           {"size", size},             {"speed", speed},       {"memory", memory},
                           {"config", config},         {"seed", seed},         {"device", device},
                           {"started_at", started_at}, {"wall_s", wall_s}};
  if (!extra.empty()) record["extra"] = extra;
  for (const auto& [key, value] : runtime_record().items()) record[key] = value;
  return record;
}

void write_record(const std::filesystem::path& path, const RunRecord& record) {
  io::write_json_atomic(path, record.to_json());
}

}  // namespace tpq::results
