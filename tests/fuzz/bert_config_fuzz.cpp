// Fuzzes EncoderConfig::from_json on arbitrary JSON text (config.json of a model directory). A config
// that loads must validate and survive a to_json -> from_json round trip unchanged.
#include <cstdint>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "tpq/core/error.h"
#include "tpq/model/encoder_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const auto json = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return 0;  // the loader's own JSON errors are tested in tests/io
  try {
    const auto config = tpq::model::EncoderConfig::from_json(json, "fuzz/config.json");
    config.validate("fuzz/config.json");
    const auto again = tpq::model::EncoderConfig::from_json(config.to_json(), "fuzz/round-trip");
    if (again.to_json() != config.to_json()) std::abort();
  } catch (const tpq::UserError&) {
  }
  return 0;
}
