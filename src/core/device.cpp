#include "tpq/core/device.h"

#include <torch/cuda.h>
#include <ATen/Parallel.h>

#include "tpq/core/error.h"

namespace tpq {

torch::Device parse_device(const std::string& spec) {
  if (spec == "cpu") return torch::kCPU;
  if (spec == "auto") return torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::kCPU;
  if (spec.rfind("cuda", 0) == 0) {
    if (!torch::cuda::is_available()) {
      throw UserError("--device " + spec +
                      ": no CUDA device is available to this LibTorch build (it is CPU-only or "
                      "finds no GPU); use --device cpu, or build against a CUDA LibTorch "
                      "(scripts/build_cuda.sh)");
    }
    try {
      torch::Device device(spec);
      if (device.has_index() && device.index() >= static_cast<int>(torch::cuda::device_count())) {
        throw UserError("--device " + spec + ": only " + std::to_string(torch::cuda::device_count()) +
                        " CUDA device(s) present");
      }
      return device;
    } catch (const c10::Error&) {
      throw UserError("--device " + spec + ": not a device; use cpu, cuda, cuda:N or auto");
    }
  }
  throw UserError("--device " + spec + ": not a device; use cpu, cuda, cuda:N or auto");
}

void synchronize(torch::Device device) {
  if (device.is_cuda()) torch::cuda::synchronize(device.has_index() ? device.index() : -1);
}

void set_threads(int threads) {
  require(threads >= 0, "--threads " + std::to_string(threads) + ": must be 0 (default) or positive");
  if (threads > 0) at::set_num_threads(threads);
}

}  // namespace tpq
