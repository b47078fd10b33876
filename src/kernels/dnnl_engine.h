// The oneDNN CPU engine and a per-thread stream that tpq's own primitives run on.
#pragma once

#include <dnnl.hpp>

namespace tpq::kernels {

const dnnl::engine& cpu_engine();
dnnl::stream& thread_stream();

}  // namespace tpq::kernels
