#include "tpq/kernels/int8_matmul.h"

#include <utility>
#include <vector>

#include <torch/torch.h>

#include "kernels/dnnl_engine.h"
#include "kernels/dnnl_post_ops.h"
#include "kernels/shape_cache.h"
#include "kernels/weight_packs.h"

namespace tpq::kernels {
namespace {

using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

// Arguments of the two post-ops: the activation scale (one value) and the layer's bias (one row).
constexpr int kInputScaleArg = DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1;
constexpr int kBiasArg = DNNL_ARG_ATTR_MULTIPLE_POST_OP(1) | DNNL_ARG_SRC_1;

}  // namespace

// oneDNN 2.x computes dst = output_scale * (acc + bias), then the post-ops. tpq's arithmetic,
//   y = s_x * s_w[n] * (sum_k q[m,k] w[n,k] - zp * colsum[n]) + b[n],
// maps onto it as: output scales s_w (fixed), bias -zp * colsum (an N-vector per call, so no
// zero-point compensation inside the kernel), then * s_x and + b as post-ops.
struct Int8Matmul::State {
  int64_t in = 0;
  int64_t out = 0;
  torch::Tensor values;       // int8 [N, K], the plain layout packs are made from
  std::vector<float> scales;  // s_w, [1] or [N]
  torch::Tensor column_sums;  // float [N]: sum_k w[n, k]
  torch::Tensor bias;         // float [1, N]
  std::unique_ptr<WeightPacks> packs;  // from `values`
  ShapeCache<std::pair<int64_t, Activation>, PackedPrimitive> by_shape{kRowCountsKept};  // by row count and activation

  dnnl::matmul::primitive_desc describe(int64_t rows, Activation activation) const {
    dnnl::primitive_attr attr;
    attr.set_output_scales(scales.size() > 1 ? 1 << 1 : 0, scales);
    dnnl::post_ops post_ops;
    post_ops.append_binary(dnnl::algorithm::binary_mul, {{1, 1}, dt::f32, tag::ab});
    post_ops.append_binary(dnnl::algorithm::binary_add, {{1, out}, dt::f32, tag::ab});
    append_activation(post_ops, activation);
    attr.set_post_ops(post_ops);
    const dnnl::matmul::desc desc({{rows, in}, dt::u8, tag::ab}, {{in, out}, dt::s8, tag::any},
                                  {{1, out}, dt::f32, tag::ab}, {{rows, out}, dt::f32, tag::ab});
    return dnnl::matmul::primitive_desc(desc, attr, cpu_engine());
  }

  PackedPrimitive prepared(int64_t rows, Activation activation) {
    return by_shape.get({rows, activation}, [&] { return packs->prepare(describe(rows, activation)); });
  }
};

Int8Matmul::Int8Matmul(const torch::Tensor& values, const torch::Tensor& scales, const torch::Tensor& bias)
    : state_(std::make_shared<State>()) {
  auto& s = *state_;
  s.values = values.to(torch::kChar).contiguous();
  s.out = s.values.size(0);
  s.in = s.values.size(1);
  s.packs = std::make_unique<WeightPacks>(dnnl::memory({{s.in, s.out}, dt::s8, tag::ba}, cpu_engine(), s.values.data_ptr()));
  const auto float_scales = scales.to(torch::kFloat).contiguous();
  s.scales.assign(float_scales.data_ptr<float>(), float_scales.data_ptr<float>() + float_scales.numel());
  s.column_sums = s.values.sum(1, /*keepdim=*/false, torch::kLong).to(torch::kFloat).reshape({1, s.out});
  s.bias = bias.defined() ? bias.to(torch::kFloat).reshape({1, s.out}).contiguous() : torch::zeros({1, s.out});
}

torch::Tensor Int8Matmul::forward(const torch::Tensor& input, const U8Grid& grid, Activation activation) const {
  auto& s = *state_;
  const int64_t rows = input.size(0);
  if (rows == 0 || s.in == 0 || s.out == 0) {
    return apply_activation(s.bias.expand({rows, s.out}).contiguous(), activation);
  }
  const auto prepared = s.prepared(rows, activation);
  auto output = torch::empty({rows, s.out}, torch::kFloat);
  auto compensation = s.column_sums * static_cast<float>(-grid.zero_point);
  float input_scale = grid.scale;
  const auto& engine = cpu_engine();
  dnnl::memory src({{rows, s.in}, dt::u8, tag::ab}, engine, input.data_ptr());
  dnnl::memory dst({{rows, s.out}, dt::f32, tag::ab}, engine, output.data_ptr());
  dnnl::memory bias({{1, s.out}, dt::f32, tag::ab}, engine, compensation.data_ptr());
  dnnl::memory scale({{1, 1}, dt::f32, tag::ab}, engine, &input_scale);
  dnnl::memory post_bias({{1, s.out}, dt::f32, tag::ab}, engine, s.bias.data_ptr());
  prepared.primitive.execute(thread_stream(), {{DNNL_ARG_SRC, src},
                                               {DNNL_ARG_WEIGHTS, *prepared.weights},
                                               {DNNL_ARG_BIAS, bias},
                                               {DNNL_ARG_DST, dst},
                                               {kInputScaleArg, scale},
                                               {kBiasArg, post_bias}});
  return output;
}

}  // namespace tpq::kernels
