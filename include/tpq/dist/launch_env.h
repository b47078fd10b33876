// Who this process is in a multi-process job, read from the launcher's environment the way
// PyTorch jobs are started: torchrun (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT),
// Slurm's srun (SLURM_PROCID, SLURM_STEP_NUM_TASKS, SLURM_LOCALID, the first host of
// SLURM_STEP_NODELIST or SLURM_JOB_NODELIST; an sbatch script's own process, without srun, is one) or Open MPI's mpirun (OMPI_COMM_WORLD_RANK, _SIZE,
// _LOCAL_RANK, _LOCAL_SIZE). With none of them the process is a job of one.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tpq::dist {

struct LaunchEnv {
  std::string launcher = "none";  // torchrun | slurm | mpi | none
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  std::string master_addr = "127.0.0.1";  // where rank 0's TCPStore listens
  int master_port = 29500;                // torchrun's default
  bool distributed() const { return world_size > 1; }
};

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// Reads the first launcher whose variables are set (torchrun, then Slurm, then Open MPI). Every
// malformed or inconsistent value is a UserError naming the variable and what it must be.
LaunchEnv read_launch_env(const EnvLookup& lookup);
LaunchEnv read_launch_env();  // this process's environment

// Slurm's compressed host list, expanded in order: "node[01-03,07],gpu5" ->
// node01 node02 node03 node07 gpu5 (zero padding kept; several bracket groups multiply out).
// UserError on an unbalanced bracket or a reversed or non-numeric range.
std::vector<std::string> expand_slurm_nodelist(const std::string& nodelist);

}  // namespace tpq::dist
