// A job of several ranks inside one test process: a free localhost port for rank 0's TCPStore
// and each rank's launch environment.
#pragma once

#include "tpq/dist/launch_env.h"

namespace tpq::testing {

int free_port();
dist::LaunchEnv rank_env(int rank, int world_size, int port);

}  // namespace tpq::testing
