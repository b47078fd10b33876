#include "tpq/core/exit_status.h"

#include <cstdio>
#include <exception>

#include "tpq/core/error.h"

namespace tpq {

int run_with_exit_status(const std::string& program, const std::function<int()>& body) {
  try {
    return body();
  } catch (const UserError& error) {
    std::fprintf(stderr, "%s: error: %s\n", program.c_str(), error.what());
    return kExitUserError;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "%s: internal error (please report): %s\n", program.c_str(), error.what());
    return kExitInternalError;
  }
}

}  // namespace tpq
