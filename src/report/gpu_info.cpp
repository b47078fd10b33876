#include "report/gpu_info.h"

#include <dlfcn.h>

#include <cstdio>
#include <memory>

#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/cuda.h>

namespace tpq::report {
namespace {

// The few driver-API entry points used, by their C signatures (cuda.h is not needed to call them).
using CuInit = int (*)(unsigned int);
using CuDriverGetVersion = int (*)(int*);
using CuDeviceGet = int (*)(int*, int);
using CuDeviceGetName = int (*)(char*, int, int);
using CuDeviceTotalMem = int (*)(std::size_t*, int);

void read_driver(GpuInfo& info, int count) {
  std::unique_ptr<void, int (*)(void*)> library(dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL), dlclose);
  if (!library) return;
  auto init = reinterpret_cast<CuInit>(dlsym(library.get(), "cuInit"));
  auto driver_version = reinterpret_cast<CuDriverGetVersion>(dlsym(library.get(), "cuDriverGetVersion"));
  auto device_get = reinterpret_cast<CuDeviceGet>(dlsym(library.get(), "cuDeviceGet"));
  auto device_name = reinterpret_cast<CuDeviceGetName>(dlsym(library.get(), "cuDeviceGetName"));
  auto total_mem = reinterpret_cast<CuDeviceTotalMem>(dlsym(library.get(), "cuDeviceTotalMem_v2"));
  if (!init || !driver_version || !device_get || !device_name || init(0) != 0) return;
  int version = 0;
  if (driver_version(&version) == 0) info.driver = cuda_version_text(version);
  for (int i = 0; i < count; ++i) {
    int device = 0;
    char name[256] = {};
    if (device_get(&device, i) != 0 || device_name(name, sizeof(name), device) != 0) continue;
    std::size_t bytes = 0;
    char memory[64] = "";
    if (total_mem && total_mem(&bytes, device) == 0) std::snprintf(memory, sizeof(memory), "（%.1f GiB）", bytes / 1073741824.0);
    info.devices[i] = std::string(name) + memory;
  }
}

}  // namespace

std::string cuda_version_text(long version) {
  return std::to_string(version / 1000) + "." + std::to_string(version % 1000 / 10);
}

std::string cudnn_version_text(long version) {
  // cuDNN 8 encodes major*1000 + minor*100 + patch; cuDNN 9 major*10000 + minor*100 + patch.
  const long major_unit = version >= 90000 ? 10000 : 1000;
  return std::to_string(version / major_unit) + "." + std::to_string(version % major_unit / 100) + "." +
         std::to_string(version % 100);
}

GpuInfo detect_gpus() {
  GpuInfo info;
  if (!torch::cuda::is_available()) return info;
  const int count = static_cast<int>(torch::cuda::device_count());
  for (int i = 0; i < count; ++i) info.devices.push_back("CUDA 设备 " + std::to_string(i));
  const auto& hooks = at::detail::getCUDAHooks();
  if (hooks.versionCUDART() > 0) info.cuda_runtime = cuda_version_text(hooks.versionCUDART());
  if (hooks.hasCuDNN() && hooks.versionCuDNN() > 0) info.cudnn = cudnn_version_text(hooks.versionCuDNN());
  read_driver(info, count);
  return info;
}

}  // namespace tpq::report
