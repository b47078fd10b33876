// A command started in the background (for tests that run commands side by side or kill one mid-run).
#pragma once

#include <filesystem>
#include <string>

#include <sys/types.h>

namespace tpq::testing {

// Starts `command` under /bin/sh with stdout and stderr going to `log` (by default discarded);
// returns the shell's pid. Begin the command with `exec` to make the pid the command's own, so that
// a signal sent to it reaches the command.
pid_t start_in_background(const std::string& command, const std::filesystem::path& log = "/dev/null");

// Waits for the child and returns its waitpid status.
int wait_for_exit(pid_t pid);

// A waitpid status as a shell reports it: the exit status, or 128 + the signal that ended it.
int exit_code_of(int status);

}  // namespace tpq::testing
