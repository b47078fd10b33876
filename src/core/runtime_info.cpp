#include "tpq/core/runtime_info.h"

#include <dlfcn.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include <ATen/Parallel.h>
#include <spdlog/spdlog.h>
#include <torch/version.h>

#include "tpq/build_info.h"
#include "tpq/core/allocator.h"
#include "tpq/core/blas_core.h"
#include "tpq/kernels/kernel_info.h"
#include "tpq/core/shell.h"
#include "tpq/core/error.h"

namespace tpq {
namespace {

bool contains(const std::string& haystack, const char* needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

BlasInfo detect_blas() {
  BlasInfo info;
  // LibTorch calls the Fortran sgemm_; whichever loaded library the dynamic linker binds it to is
  // the BLAS that does every FP32 matmul on CPU.
  void* sgemm = dlsym(RTLD_DEFAULT, "sgemm_");
  Dl_info where{};
  if (sgemm == nullptr || dladdr(sgemm, &where) == 0 || where.dli_fname == nullptr) {
    info.name = "unknown";
    info.details = "sgemm_ is not loaded in this process (LibTorch may use a built-in BLAS)";
    return info;
  }
  std::error_code ignored;
  auto resolved = std::filesystem::canonical(where.dli_fname, ignored);
  info.library_path = ignored ? std::string(where.dli_fname) : resolved.string();
  if (dlsym(RTLD_DEFAULT, "openblas_get_config") != nullptr && contains(info.library_path, "openblas")) {
    info.name = "OpenBLAS";
    using ConfigFn = char* (*)();
    auto config = reinterpret_cast<ConfigFn>(dlsym(RTLD_DEFAULT, "openblas_get_config"));
    if (config != nullptr) info.details = config();
  } else if (contains(info.library_path, "mkl")) {
    info.name = "MKL";
  } else if (contains(info.library_path, "/blas/") || contains(info.library_path, "libblas.so")) {
    info.name = "reference BLAS";
    info.is_reference = true;
  } else {
    info.name = "unknown";
  }
  return info;
}

void check_blas(bool refuse_slow_blas, bool allow_slow_blas) {
  const BlasInfo blas = detect_blas();
  spdlog::info("allocator: {}", allocator_description());
  if (const std::string note = openblas_restart_note(); !note.empty()) spdlog::info("{}", note);
  if (!blas.is_reference) {
    spdlog::info("BLAS: {} ({}){}", blas.name, blas.library_path.empty() ? "-" : blas.library_path,
                 blas.details.empty() ? "" : " " + blas.details);
    return;
  }
  spdlog::warn("****************************************************************************");
  spdlog::warn("* LibTorch is running on the REFERENCE BLAS ({})", blas.library_path);
  spdlog::warn("* FP32 matmuls are ~50x slower than with OpenBLAS: every FP32 timing, and so");
  spdlog::warn("* every speed-up ratio against FP32, would be wrong. Fix:");
  spdlog::warn("*   sudo apt-get install libopenblas0-openmp   (or run scripts/setup.sh)");
  spdlog::warn("****************************************************************************");
  if (refuse_slow_blas && !allow_slow_blas) {
    throw UserError("refusing to time on the reference BLAS (" + blas.library_path +
                    "): install libopenblas0-openmp (scripts/setup.sh), or pass --allow-slow-blas "
                    "to measure anyway");
  }
}

std::string libtorch_version() { return TORCH_VERSION; }

bool cpu_has_native_bf16() {
  static const bool native = [] {
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpuinfo, line)) {
      if (line.rfind("flags", 0) != 0) continue;
      line += ' ';
      return contains(line, " avx512_bf16 ") || contains(line, " amx_bf16 ");
    }
    return false;
  }();
  return native;
}

// Neither changes while a process runs; every results record asks, so read each once.
std::string cpu_model() {
  static const std::string model = [] {
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpuinfo, line)) {
      if (line.rfind("model name", 0) == 0) {
        auto colon = line.find(':');
        if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
      }
    }
    return std::string("unknown");
  }();
  return model;
}

std::string git_revision() {
  static const std::string revision = [] {
    const std::string source_dir = TPQ_SOURCE_DIR;
    std::string rev = command_output("git -C '" + source_dir + "' rev-parse --short=12 HEAD 2>/dev/null");
    if (rev.empty()) rev = TPQ_GIT_REV_AT_CONFIGURE;
    if (rev.empty()) return std::string("unknown");
    const std::string dirty =
        command_output("git -C '" + source_dir + "' status --porcelain --untracked-files=no 2>/dev/null");
    return dirty.empty() ? rev : rev + "-dirty";
  }();
  return revision;
}

std::string utc_timestamp() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

int tpq_parallel_loop_threads() {
  const int64_t tasks = at::get_num_threads();
  std::mutex mutex;
  std::set<std::thread::id> seen;
  at::parallel_for(0, tasks, 1, [&](int64_t, int64_t) {
    const std::lock_guard<std::mutex> lock(mutex);
    seen.insert(std::this_thread::get_id());
  });
  return static_cast<int>(seen.size());
}

nlohmann::json runtime_record() {
  const BlasInfo blas = detect_blas();
  return {
      {"libtorch_version", libtorch_version()},
      {"blas", blas.name},
      {"blas_library", blas.library_path},
      {"kernels", kernels::kernel_record()},
      {"allocator", allocator_description()},
      {"cpu_model", cpu_model()},
      {"threads", at::get_num_threads()},
      {"parallel_loop_threads", tpq_parallel_loop_threads()},
      {"git_rev", git_revision()},
      {"tpq_version", TPQ_VERSION_STRING},
      {"compiler", TPQ_CXX_COMPILER},
      {"build_type", TPQ_BUILD_TYPE},
  };
}

}  // namespace tpq
