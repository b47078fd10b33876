// Running shell commands: probing the system (lscpu, fc-list, git) and driving the external tools
// tpq draws and exports with (gnuplot, pandoc).
#pragma once

#include <string>

namespace tpq {

// The standard output of a shell command (stderr discarded), trailing newlines and spaces
// trimmed; "" when the command cannot be started.
std::string command_output(const std::string& command);

struct ShellResult {
  int exit_code = -1;  // 128 + signal for a killed command; -1 if it could not be started
  std::string output;  // stdout and stderr together, as written
};

// Runs `command` through /bin/sh, capturing stdout and stderr together.
ShellResult run_shell(const std::string& command);

// `text` as one single-quoted shell word ('it'\''s'), safe for any bytes but NUL.
std::string shell_quoted(const std::string& text);

// Whether `program` is on PATH (`command -v`).
bool command_exists(const std::string& program);

}  // namespace tpq
