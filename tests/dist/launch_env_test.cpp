// The launch contracts: torchrun's, Slurm's and Open MPI's environment variables read into one
// LaunchEnv, Slurm's compressed node lists expanded, and every malformed value a clear error.
#include <map>

#include <gtest/gtest.h>

#include "tpq/core/error.h"
#include "tpq/dist/launch_env.h"

namespace tpq::dist {
namespace {

EnvLookup env_of(const std::map<std::string, std::string>& variables) {
  return [variables](const std::string& name) -> std::optional<std::string> {
    const auto found = variables.find(name);
    return found == variables.end() ? std::nullopt : std::optional<std::string>(found->second);
  };
}

std::string error_of(const std::map<std::string, std::string>& variables) {
  try {
    read_launch_env(env_of(variables));
  } catch (const UserError& error) {
    return error.what();
  }
  return "";
}

TEST(LaunchEnv, NoLauncherIsAJobOfOne) {
  const auto env = read_launch_env(env_of({{"HOME", "/root"}}));
  EXPECT_EQ(env.launcher, "none");
  EXPECT_EQ(env.world_size, 1);
  EXPECT_FALSE(env.distributed());
}

TEST(LaunchEnv, ReadsTorchrun) {
  const auto env = read_launch_env(env_of({{"RANK", "3"}, {"WORLD_SIZE", "4"}, {"LOCAL_RANK", "1"},
                                           {"MASTER_ADDR", "10.0.0.7"}, {"MASTER_PORT", "29411"},
                                           {"SLURM_PROCID", "0"}}));  // torchrun under an allocation: torchrun wins
  EXPECT_EQ(env.launcher, "torchrun");
  EXPECT_EQ(env.rank, 3);
  EXPECT_EQ(env.world_size, 4);
  EXPECT_EQ(env.local_rank, 1);
  EXPECT_EQ(env.master_addr, "10.0.0.7");
  EXPECT_EQ(env.master_port, 29411);
  EXPECT_TRUE(env.distributed());
}

TEST(LaunchEnv, ReadsSrunWithTheFirstHostAsMaster) {
  const auto env = read_launch_env(env_of({{"SLURM_PROCID", "5"}, {"SLURM_NTASKS", "16"}, {"SLURM_STEP_NUM_TASKS", "8"},
                                           {"SLURM_LOCALID", "1"}, {"SLURM_JOB_NODELIST", "node[01-03,07]"}}));
  EXPECT_EQ(env.launcher, "slurm");
  EXPECT_EQ(env.rank, 5);
  EXPECT_EQ(env.world_size, 8);  // the step's tasks, not the allocation's
  // An sbatch script running one process (no srun step) is not a rank of a job.
  EXPECT_FALSE(read_launch_env(env_of({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "4"}, {"SLURM_JOB_NODELIST", "n[1-2]"}}))
                   .distributed());
  EXPECT_EQ(env.local_rank, 1);
  EXPECT_EQ(env.master_addr, "node01");
  EXPECT_EQ(env.master_port, 29500);
  const auto explicit_master = read_launch_env(env_of({{"SLURM_PROCID", "0"}, {"SLURM_STEP_NUM_TASKS", "2"},
                                                       {"SLURM_STEP_NODELIST", "gpu[3-4]"}, {"MASTER_ADDR", "login1"}}));
  EXPECT_EQ(explicit_master.master_addr, "login1");
  EXPECT_EQ(read_launch_env(env_of({{"SLURM_PROCID", "0"}, {"SLURM_STEP_NUM_TASKS", "2"}, {"SLURM_STEP_NODELIST", "gpu[3-4]"},
                                    {"SLURM_JOB_NODELIST", "cpu1"}}))
                .master_addr,
            "gpu3");
}

TEST(LaunchEnv, ReadsOpenMpi) {
  const auto env = read_launch_env(env_of({{"OMPI_COMM_WORLD_RANK", "1"}, {"OMPI_COMM_WORLD_SIZE", "2"},
                                           {"OMPI_COMM_WORLD_LOCAL_RANK", "1"}, {"OMPI_COMM_WORLD_LOCAL_SIZE", "2"}}));
  EXPECT_EQ(env.launcher, "mpi");
  EXPECT_EQ(env.rank, 1);
  EXPECT_EQ(env.world_size, 2);
  EXPECT_EQ(env.master_addr, "127.0.0.1");  // one node: this host
  EXPECT_NE(error_of({{"OMPI_COMM_WORLD_RANK", "0"}, {"OMPI_COMM_WORLD_SIZE", "4"}, {"OMPI_COMM_WORLD_LOCAL_SIZE", "2"}})
                .find("set MASTER_ADDR"),
            std::string::npos);
}

TEST(LaunchEnv, MalformedValuesNameTheVariable) {
  EXPECT_NE(error_of({{"RANK", "one"}, {"WORLD_SIZE", "2"}}).find("RANK=one is not a whole number"), std::string::npos);
  EXPECT_NE(error_of({{"RANK", "2"}, {"WORLD_SIZE", "2"}}).find("RANK=2 is not below WORLD_SIZE=2"), std::string::npos);
  EXPECT_NE(error_of({{"RANK", "0"}}).find("WORLD_SIZE is not set"), std::string::npos);
  EXPECT_NE(error_of({{"RANK", "0"}, {"WORLD_SIZE", "0"}}).find("WORLD_SIZE=0"), std::string::npos);
  EXPECT_NE(error_of({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "70000"}}).find("MASTER_PORT"), std::string::npos);
  EXPECT_NE(error_of({{"SLURM_STEP_NUM_TASKS", "2"}}).find("SLURM_PROCID is not set"), std::string::npos);
  EXPECT_NE(error_of({{"SLURM_PROCID", "0"}, {"SLURM_STEP_NUM_TASKS", "2"}, {"SLURM_JOB_NODELIST", "node[1-"}}).find("node[1-"),
            std::string::npos);
}

TEST(SlurmNodelist, ExpandsRangesListsAndPadding) {
  using Hosts = std::vector<std::string>;
  EXPECT_EQ(expand_slurm_nodelist("node[01-03,07]"), (Hosts{"node01", "node02", "node03", "node07"}));
  EXPECT_EQ(expand_slurm_nodelist("gpu5"), (Hosts{"gpu5"}));
  EXPECT_EQ(expand_slurm_nodelist("a[8-10],b1,c[2]"), (Hosts{"a8", "a9", "a10", "b1", "c2"}));
  EXPECT_EQ(expand_slurm_nodelist("r[1-2]n[09-10]"), (Hosts{"r1n09", "r1n10", "r2n09", "r2n10"}));
  EXPECT_EQ(expand_slurm_nodelist("x[098-100]-ib"), (Hosts{"x098-ib", "x099-ib", "x100-ib"}));
}

TEST(SlurmNodelist, RejectsBrokenListsWithTheFix) {
  for (const std::string bad : {"", "node[1-", "node1]", "node[3-1]", "node[a-b]", "n[[1]]", "a,,b", "n[1-999999999]"}) {
    try {
      expand_slurm_nodelist(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const UserError& error) {
      EXPECT_NE(std::string(error.what()).find("expected e.g. node[01-03,07]"), std::string::npos) << error.what();
    }
  }
}

}  // namespace
}  // namespace tpq::dist
