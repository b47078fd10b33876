// A command started in the background (for tests that kill it mid-run).
#pragma once

#include <string>

#include <sys/types.h>

namespace tpq::testing {

// Starts `command` under /bin/sh with its output discarded, exec'ed so that the pid is the
// command itself; returns the pid.
pid_t start_in_background(const std::string& command);

// Waits for the child and returns its waitpid status.
int wait_for_exit(pid_t pid);

}  // namespace tpq::testing
