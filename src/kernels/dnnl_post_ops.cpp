#include "kernels/dnnl_post_ops.h"

#include "kernels/dnnl_engine.h"

namespace tpq::kernels {

void append_activation(dnnl::post_ops& post_ops, Activation activation) {
  switch (activation) {
    case Activation::Relu: post_ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f); break;
    case Activation::Gelu: post_ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_gelu_erf, 0.0f, 0.0f); break;
    case Activation::GeluTanh: post_ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_gelu_tanh, 0.0f, 0.0f); break;
    case Activation::None: break;
  }
}

dnnl::matmul::primitive_desc dense_matmul_desc(int64_t rows, int64_t in, int64_t out, dnnl::memory::data_type type,
                                               dnnl::memory::format_tag weight_layout, Activation activation) {
  using tag = dnnl::memory::format_tag;
  dnnl::post_ops post_ops;
  append_activation(post_ops, activation);
  dnnl::primitive_attr attr;
  attr.set_post_ops(post_ops);
  const dnnl::matmul::desc desc({{rows, in}, type, tag::ab}, {{in, out}, type, weight_layout}, {{1, out}, type, tag::ab},
                                {{rows, out}, type, tag::ab});
  return dnnl::matmul::primitive_desc(desc, attr, cpu_engine());
}

}  // namespace tpq::kernels
