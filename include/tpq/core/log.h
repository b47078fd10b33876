// Logging setup shared by every program: spdlog to stderr (stdout stays free for data), one level.
#pragma once

#include <string>

namespace tpq {

// level: trace, debug, info, warn, error, off. UserError for anything else.
void init_logging(const std::string& level);

}  // namespace tpq
