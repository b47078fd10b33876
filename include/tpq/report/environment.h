// The experiment environment as the lab report states it, detected rather than typed: CPU, cores
// and memory from /proc, GPU/CUDA from LibTorch, OS from /etc/os-release, compiler, LibTorch, BLAS,
// and dependency versions, each with where the version came from.
#pragma once

#include <string>
#include <vector>

namespace tpq::report {

struct Dependency {
  std::string name;     // "nlohmann-json"
  std::string version;  // "3.11.2", or "未检测到"
  std::string source;   // "编译期宏 NLOHMANN_JSON_VERSION_*", "dpkg-query libyaml-cpp-dev", "gnuplot --version"
};

struct Environment {
  std::string cpu;
  std::string cores;
  std::string memory;
  std::string gpu;
  std::string os;
  std::string compiler;
  std::string libtorch;
  std::string blas;
  std::string cuda;
  std::vector<Dependency> dependencies;
};

Environment detect_environment();

}  // namespace tpq::report
