#include "tpq/kernels/kernel_info.h"

#include <cstdlib>
#include <cstring>

#include <ATen/Context.h>
#include <dnnl.hpp>
#include <dnnl_debug.h>

namespace tpq::kernels {

std::string int8_kernel_choice() {
  const char* forced = std::getenv("TPQ_INT8_KERNEL");
  if (forced != nullptr && std::strcmp(forced, "engine") == 0) return "engine";
  return at::globalContext().qEngine() == at::QEngine::ONEDNN ? "direct" : "engine";
}

std::string dense_kernel_choice() {
  const char* choice = std::getenv("TPQ_DENSE_KERNEL");
  if (choice != nullptr && (std::strcmp(choice, "blas") == 0 || std::strcmp(choice, "unpacked") == 0)) return choice;
  return "onednn";
}

std::string last_layer_choice() {
  const char* choice = std::getenv("TPQ_LAST_LAYER");
  return choice != nullptr && std::strcmp(choice, "full") == 0 ? "full" : "first-token";
}

nlohmann::json kernel_record() {
  const bool blas = dense_kernel_choice() == "blas";
  const char* isa = dnnl_cpu_isa2str(static_cast<dnnl_cpu_isa_t>(dnnl::get_effective_cpu_isa()));
  return {{"dense_linear", blas ? "libtorch linear (BLAS)" : "onednn matmul"},
          {"int8_linear", int8_kernel_choice() == "direct" ? "onednn matmul" : "libtorch quantized::linear"},
          {"onednn_isa", isa != nullptr ? isa : "unknown"},
          {"last_layer", last_layer_choice() == "full" ? "every position" : "first token only"}};
}

}  // namespace tpq::kernels
