// Facts about the running process that every results record carries: versions, BLAS, CPU,
// threads, git revision. Also the check that refuses timing runs on the reference BLAS.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace tpq {

struct BlasInfo {
  std::string library_path;  // file that provides sgemm_ in this process
  std::string name;          // "OpenBLAS", "reference BLAS", "MKL", or "unknown"
  std::string details;       // e.g. openblas_get_config()
  bool is_reference = false;  // the slow Netlib reference implementation
};

// Finds which library LibTorch's sgemm_ resolves to in this process.
BlasInfo detect_blas();

// Logs the BLAS in use; on the reference BLAS prints a loud warning. Timing experiments call this
// with refuse_slow_blas=true and abort with a UserError unless the user passed --allow-slow-blas.
void check_blas(bool refuse_slow_blas, bool allow_slow_blas);

std::string libtorch_version();
std::string cpu_model();
// The CPU computes bf16 natively (AVX512_BF16 or AMX-BF16 in /proc/cpuinfo's flags). Without it
// LibTorch emulates bf16 and autocast is slower than fp32.
bool cpu_has_native_bf16();
// How many threads an at::parallel_for in tpq's own code runs on: at::get_num_threads() when tpq
// is compiled with OpenMP, 1 when it is not (the pragma in the header template is then ignored).
int tpq_parallel_loop_threads();
std::string git_revision();  // of the source tree this binary was built from; "unknown" if none
std::string utc_timestamp();

// {libtorch_version, blas, cpu_model, git_rev, threads, parallel_loop_threads, compiler, ...} for results records.
nlohmann::json runtime_record();

}  // namespace tpq
