#include "tpq/core/blas_core.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace tpq {
namespace {

constexpr const char* kRestartMarker = "TPQ_OPENBLAS_CORETYPE_RESTART";

// The kernels to ask for, or nullptr where Prescott is the right choice anyway.
const char* matching_core_type() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")) {
    return "SkylakeX";
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
  return nullptr;
}

}  // namespace

std::string openblas_core_name() {
  using CoreNameFn = char* (*)();
  auto core_name = reinterpret_cast<CoreNameFn>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  const char* name = core_name != nullptr ? core_name() : nullptr;
  return name != nullptr ? name : "";
}

void restart_with_matching_openblas_kernels(char** argv) {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return;
  const std::string core = openblas_core_name();
  if (strcasecmp(core.c_str(), "prescott") != 0) return;
  const char* wanted = matching_core_type();
  if (wanted == nullptr) return;
  ::setenv("OPENBLAS_CORETYPE", wanted, 1);
  ::setenv(kRestartMarker, core.c_str(), 1);
  ::execv("/proc/self/exe", argv);
  // execv failed: run on, slowly; check_blas's log shows the kernels in use.
  ::unsetenv("OPENBLAS_CORETYPE");
  ::unsetenv(kRestartMarker);
}

std::string openblas_restart_note() {
  const char* fallback = std::getenv(kRestartMarker);
  const char* chosen = std::getenv("OPENBLAS_CORETYPE");
  if (fallback == nullptr || chosen == nullptr) return "";
  return std::string("OpenBLAS did not recognise this CPU and chose its ") + fallback +
         " kernels; tpq restarted itself with OPENBLAS_CORETYPE=" + chosen + " (FP32 about 6x faster)";
}

}  // namespace tpq
