#include "tpq/dist/launch_env.h"

#include <cstdlib>

#include "tpq/core/error.h"

namespace tpq::dist {
namespace {

int launch_count(const std::string& name, const std::string& text, int minimum) {
  std::size_t used = 0;
  long value = -1;
  try {
    value = std::stol(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  require(used == text.size() && !text.empty() && value >= minimum && value <= 1'000'000,
          name + "=" + text + " is not a whole number >= " + std::to_string(minimum) +
              "; the launcher sets it (unset it to run one process)");
  return static_cast<int>(value);
}

int required_launch_count(const EnvLookup& lookup, const std::string& name, int minimum, const std::string& launcher) {
  const auto text = lookup(name);
  require(text.has_value(), name + " is not set, but the " + launcher + " variables are; start the job with " + launcher +
                                " (or unset them to run one process)");
  return launch_count(name, *text, minimum);
}

int optional_launch_count(const EnvLookup& lookup, const std::string& name, int fallback, int minimum) {
  const auto text = lookup(name);
  return text ? launch_count(name, *text, minimum) : fallback;
}

void check_launch_rank(const LaunchEnv& env, const std::string& rank_name, const std::string& size_name) {
  require(env.rank < env.world_size, rank_name + "=" + std::to_string(env.rank) + " is not below " + size_name + "=" +
                                         std::to_string(env.world_size) + "; the ranks of a job are 0 to size - 1");
}

void read_launch_master(const EnvLookup& lookup, LaunchEnv& env) {
  if (const auto addr = lookup("MASTER_ADDR"); addr && !addr->empty()) env.master_addr = *addr;
  env.master_port = optional_launch_count(lookup, "MASTER_PORT", env.master_port, 1);
  require(env.master_port <= 65535, "MASTER_PORT=" + std::to_string(env.master_port) + " is not a TCP port (1-65535)");
}

// The names one launcher gives rank, world size and local rank, and the command that sets them.
struct RankVariables {
  const char* launcher;
  const char* command;
  const char* rank;
  const char* world_size;
  const char* local_rank;
};

LaunchEnv read_ranks(const EnvLookup& lookup, const RankVariables& names) {
  LaunchEnv env;
  env.launcher = names.launcher;
  env.rank = required_launch_count(lookup, names.rank, 0, names.command);
  env.world_size = required_launch_count(lookup, names.world_size, 1, names.command);
  env.local_rank = optional_launch_count(lookup, names.local_rank, 0, 0);
  check_launch_rank(env, names.rank, names.world_size);
  return env;
}

LaunchEnv torchrun_env(const EnvLookup& lookup) {
  LaunchEnv env = read_ranks(lookup, {"torchrun", "torchrun", "RANK", "WORLD_SIZE", "LOCAL_RANK"});
  read_launch_master(lookup, env);
  return env;
}

LaunchEnv slurm_env(const EnvLookup& lookup) {
  // The step's task count (srun sets SLURM_NTASKS to the same): SLURM_NTASKS alone is the
  // allocation's, also seen by an sbatch script that runs one process without srun.
  LaunchEnv env = read_ranks(lookup, {"slurm", "srun", "SLURM_PROCID", "SLURM_STEP_NUM_TASKS", "SLURM_LOCALID"});
  auto nodelist = lookup("SLURM_STEP_NODELIST");
  if (!nodelist) nodelist = lookup("SLURM_JOB_NODELIST");
  if (nodelist && !nodelist->empty()) env.master_addr = expand_slurm_nodelist(*nodelist).front();
  read_launch_master(lookup, env);  // an explicit MASTER_ADDR / MASTER_PORT wins
  return env;
}

LaunchEnv mpi_env(const EnvLookup& lookup) {
  LaunchEnv env = read_ranks(lookup, {"mpi", "mpirun", "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE",
                                      "OMPI_COMM_WORLD_LOCAL_RANK"});
  const int local_size = optional_launch_count(lookup, "OMPI_COMM_WORLD_LOCAL_SIZE", env.world_size, 1);
  read_launch_master(lookup, env);
  // Open MPI names no rendezvous host; on one node it is this one, across nodes the user says.
  require(local_size == env.world_size || lookup("MASTER_ADDR").has_value(),
          "mpirun across nodes: set MASTER_ADDR to rank 0's host (mpirun -x MASTER_ADDR=host ...)");
  return env;
}

}  // namespace

LaunchEnv read_launch_env(const EnvLookup& lookup) {
  if (lookup("RANK") || lookup("WORLD_SIZE")) return torchrun_env(lookup);
  if (lookup("SLURM_STEP_NUM_TASKS")) return slurm_env(lookup);  // srun; an sbatch script alone is one process
  if (lookup("OMPI_COMM_WORLD_RANK") || lookup("OMPI_COMM_WORLD_SIZE")) return mpi_env(lookup);
  return {};
}

LaunchEnv read_launch_env() {
  return read_launch_env([](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    return value ? std::optional<std::string>(value) : std::nullopt;
  });
}

}  // namespace tpq::dist
