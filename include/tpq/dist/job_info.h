// What kind of job this process is part of, for the records: the number of data-parallel ranks and
// the collective backend ("none" for a single process). Set once when the process joins its job.
#pragma once

#include <string>

namespace tpq::dist {

struct JobInfo {
  int world_size = 1;
  std::string backend = "none";  // gloo | nccl | none
};

const JobInfo& this_job();
void set_this_job(JobInfo job);

}  // namespace tpq::dist
