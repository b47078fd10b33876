#include "tpq/report/environment.h"

#include <sys/utsname.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <memory>
#include <thread>

#include <nlohmann/json.hpp>
#include <spdlog/version.h>
#include <torch/version.h>

#include "report/gpu_info.h"

#include "tpq/core/shell.h"
#include "tpq/core/runtime_info.h"

namespace tpq::report {
namespace {

// The value of `key:` (or `key=`) in a /proc or /etc file, or "".
std::string file_value(const char* path, const std::string& key, char separator) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) != 0) continue;
    auto pos = line.find(separator);
    if (pos == std::string::npos) continue;
    std::string value = line.substr(pos + 1);
    value.erase(0, value.find_first_not_of(" \t\""));
    while (!value.empty() && (value.back() == '"' || value.back() == ' ')) value.pop_back();
    return value;
  }
  return "";
}

int count_processors() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  int count = 0;
  while (std::getline(in, line)) count += line.rfind("processor", 0) == 0 ? 1 : 0;
  return count;
}

Dependency from_dpkg(const std::string& name, const std::string& package) {
  const std::string version = command_output("dpkg-query -W -f='${Version}' " + package);
  return {name, version.empty() ? "未检测到" : version, "运行时 dpkg-query " + package};
}

void describe_gpus(const GpuInfo& gpus, Environment& env) {
  if (gpus.devices.empty()) {
    env.gpu = "无（LibTorch 未检测到 CUDA 设备，全部实验在 CPU 上运行）";
    env.cuda = "无";
    return;
  }
  env.gpu.clear();
  for (const auto& device : gpus.devices) env.gpu += (env.gpu.empty() ? "" : "；") + device;
  env.gpu += "（" + std::to_string(gpus.devices.size()) + " 个，CUDA 驱动 API）";
  env.cuda = "CUDA 运行时 " + (gpus.cuda_runtime.empty() ? std::string("未检测到") : gpus.cuda_runtime) + "（LibTorch 编译所用）；cuDNN " +
             (gpus.cudnn.empty() ? std::string("未检测到") : gpus.cudnn) + "；驱动 " +
             (gpus.driver.empty() ? std::string("未检测到（无 libcuda.so.1）") : "支持 CUDA " + gpus.driver);
}

}  // namespace

Environment detect_environment() {
  Environment env;
  env.cpu = cpu_model();
  env.cores = std::to_string(count_processors()) + " 个逻辑 CPU（/proc/cpuinfo）；本进程可用 " +
              std::to_string(std::thread::hardware_concurrency()) + " 个";
  const std::string mem_kb = file_value("/proc/meminfo", "MemTotal", ':');
  try {
    env.memory = mem_kb.empty() ? "未检测到" : std::to_string(std::stoll(mem_kb) / 1024 / 1024) + " GiB（/proc/meminfo MemTotal " + mem_kb + "）";
  } catch (const std::exception&) {
    env.memory = mem_kb;
  }
  describe_gpus(detect_gpus(), env);
  struct utsname name {};
  const std::string kernel = uname(&name) == 0 ? std::string(name.sysname) + " " + name.release + " " + name.machine : "";
  const std::string pretty = file_value("/etc/os-release", "PRETTY_NAME", '=');
  env.os = (pretty.empty() ? "未知发行版" : pretty) + (kernel.empty() ? "" : "，内核 " + kernel);
#if defined(__clang__)
  env.compiler = std::string("Clang ") + __clang_version__;
#elif defined(__GNUC__)
  env.compiler = std::string("GCC ") + __VERSION__;
#else
  env.compiler = __VERSION__;
#endif
  env.libtorch = std::string("LibTorch ") + TORCH_VERSION + "（C++ 前端，编译期宏 TORCH_VERSION）";
  const auto blas = detect_blas();
  env.blas = blas.name + (blas.library_path.empty() ? "" : "（" + blas.library_path + "）") +
             (blas.details.empty() ? "" : "，" + blas.details);

  env.dependencies.push_back({"libtorch", TORCH_VERSION, "编译期宏 TORCH_VERSION"});
  env.dependencies.push_back(from_dpkg("libtorch-dev (Debian 包)", "libtorch-dev"));
  env.dependencies.push_back({"nlohmann-json",
                              std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." + std::to_string(NLOHMANN_JSON_VERSION_MINOR) +
                                  "." + std::to_string(NLOHMANN_JSON_VERSION_PATCH),
                              "编译期宏 NLOHMANN_JSON_VERSION_*"});
  env.dependencies.push_back({"spdlog",
                              std::to_string(SPDLOG_VER_MAJOR) + "." + std::to_string(SPDLOG_VER_MINOR) + "." +
                                  std::to_string(SPDLOG_VER_PATCH),
                              "编译期宏 SPDLOG_VER_*"});
  env.dependencies.push_back(from_dpkg("yaml-cpp", "libyaml-cpp-dev"));
  env.dependencies.push_back(from_dpkg("sentencepiece", "libsentencepiece-dev"));
  env.dependencies.push_back(from_dpkg("gtest", "libgtest-dev"));
  env.dependencies.push_back(from_dpkg("CLI11", "libcli11-dev"));
  env.dependencies.push_back(from_dpkg("utf8proc", "libutf8proc-dev"));
  env.dependencies.push_back(from_dpkg("openblas", "libopenblas0-openmp"));
  const std::string gnuplot = command_output("gnuplot --version");
  env.dependencies.push_back({"gnuplot", gnuplot.empty() ? "未检测到" : gnuplot, "运行时 gnuplot --version"});
  return env;
}

}  // namespace tpq::report
