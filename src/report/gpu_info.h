// GPU facts for the report's 实验环境 on a CUDA machine: device names and memory and the driver
// version from the CUDA driver API (libcuda.so.1, opened at run time so CPU builds need nothing),
// the CUDA runtime and cuDNN versions LibTorch was built with (its CUDA hooks).
#pragma once

#include <string>
#include <vector>

namespace tpq::report {

struct GpuInfo {
  std::vector<std::string> devices;  // "NVIDIA H200（139.8 GiB）"
  std::string driver;                // "12.4"; "" when libcuda.so.1 is not there
  std::string cuda_runtime;          // "11.7"; "" without CUDA in LibTorch
  std::string cudnn;                 // "8.5.0"; "" without cuDNN
};

// Empty devices where LibTorch sees no CUDA device.
GpuInfo detect_gpus();

// CUDA's integer versions: 11070 -> "11.7" (runtime and driver), cuDNN 8500 -> "8.5.0", 90100 -> "9.1.0".
std::string cuda_version_text(long version);
std::string cudnn_version_text(long version);

}  // namespace tpq::report
