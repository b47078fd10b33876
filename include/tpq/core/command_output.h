// The standard output of a shell command (stderr discarded), trailing newlines and spaces
// trimmed; "" when the command cannot be started. For probing the system (lscpu, fc-list, ...).
#pragma once

#include <string>

namespace tpq {

std::string command_output(const std::string& command);

}  // namespace tpq
