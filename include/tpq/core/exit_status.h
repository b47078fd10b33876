// The exit status contract of every tpq program: 0 success, 2 an error the user can fix (one line
// on stderr, "<program>: error: ..."), 3 anything else ("internal error (please report)").
#pragma once

#include <functional>
#include <string>

namespace tpq {

inline constexpr int kExitUserError = 2;
inline constexpr int kExitInternalError = 3;

// Runs `body` and turns a UserError or other exception into its one-line message and exit status.
int run_with_exit_status(const std::string& program, const std::function<int()>& body);

}  // namespace tpq
