// The oneDNN CPU engine and a per-thread stream that tpq's own primitives run on.
#pragma once

#include <dnnl.hpp>
#include <torch/types.h>

namespace tpq::kernels {

const dnnl::engine& cpu_engine();
dnnl::stream& thread_stream();

// BF16 for torch::kBFloat16, else F32: the two float types tpq's FP32/BF16 kernels take.
dnnl::memory::data_type dnnl_float_type(torch::ScalarType type);

}  // namespace tpq::kernels
