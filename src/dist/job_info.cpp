#include "tpq/dist/job_info.h"

#include <utility>

namespace tpq::dist {
namespace {

JobInfo& job_storage() {
  static JobInfo job;
  return job;
}

}  // namespace

const JobInfo& this_job() { return job_storage(); }

void set_this_job(JobInfo job) { job_storage() = std::move(job); }

}  // namespace tpq::dist
