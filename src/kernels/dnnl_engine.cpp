#include "kernels/dnnl_engine.h"

namespace tpq::kernels {

const dnnl::engine& cpu_engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& thread_stream() {
  // A stream is not meant to be shared between threads that execute at the same time.
  thread_local dnnl::stream stream(cpu_engine());
  return stream;
}

dnnl::memory::data_type dnnl_float_type(torch::ScalarType type) {
  return type == torch::kBFloat16 ? dnnl::memory::data_type::bf16 : dnnl::memory::data_type::f32;
}

}  // namespace tpq::kernels
