#include "kernels/dnnl_post_ops.h"

namespace tpq::kernels {

void append_activation(dnnl::post_ops& post_ops, Activation activation) {
  switch (activation) {
    case Activation::Relu: post_ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f); break;
    case Activation::Gelu: post_ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_gelu_erf, 0.0f, 0.0f); break;
    case Activation::GeluTanh: post_ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_gelu_tanh, 0.0f, 0.0f); break;
    case Activation::None: break;
  }
}

}  // namespace tpq::kernels
