#include "tpq/core/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "tpq/core/error.h"

namespace tpq {

void init_logging(const std::string& level) {
  const auto parsed = spdlog::level::from_str(level);
  // from_str maps unknown names to "off"; only accept that when asked for.
  require(parsed != spdlog::level::off || level == "off",
          "--log-level " + level + ": use trace, debug, info, warn, error or off");
  auto logger = spdlog::get("tpq");
  if (!logger) logger = spdlog::stderr_color_mt("tpq");
  logger->set_pattern("[%H:%M:%S] [%^%l%$] %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(parsed);
}

}  // namespace tpq
