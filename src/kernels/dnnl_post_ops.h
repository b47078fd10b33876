// oneDNN epilogues, and the FP32/BF16 dense matmul they end, shared by tpq's matmul primitives.
#pragma once

#include <cstdint>

#include <dnnl.hpp>

#include "tpq/kernels/activation.h"

namespace tpq::kernels {

// Appends `activation` as an eltwise post-op (nothing for Activation::None).
void append_activation(dnnl::post_ops& post_ops, Activation activation);

// rows [rows, in] times weights [in, out] plus a [1, out] bias, then `activation`; all of `type`.
// weight_layout: tag::ba reads a row-major [out, in] weight in place, tag::any lets oneDNN pick a
// packed layout (the caller then reorders the weight into it).
dnnl::matmul::primitive_desc dense_matmul_desc(int64_t rows, int64_t in, int64_t out, dnnl::memory::data_type type,
                                               dnnl::memory::format_tag weight_layout, Activation activation);

}  // namespace tpq::kernels
