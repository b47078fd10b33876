// oneDNN epilogues shared by tpq's matmul primitives.
#pragma once

#include <dnnl.hpp>

#include "tpq/kernels/activation.h"

namespace tpq::kernels {

// Appends `activation` as an eltwise post-op (nothing for Activation::None).
void append_activation(dnnl::post_ops& post_ops, Activation activation);

}  // namespace tpq::kernels
