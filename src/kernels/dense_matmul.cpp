#include "tpq/kernels/dense_matmul.h"

#include <tuple>

#include <torch/torch.h>

#include "kernels/dnnl_engine.h"
#include "kernels/dnnl_post_ops.h"
#include "kernels/shape_cache.h"
#include "tpq/kernels/kernel_info.h"

namespace tpq::kernels {
namespace {

using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

// The weight [out, in] row-major is the [in, out] matrix the primitive multiplies by, read as "ba".
dnnl::matmul make_dense_matmul(int64_t rows, int64_t in, int64_t out, dt type, Activation activation) {
  return dnnl::matmul(dense_matmul_desc(rows, in, out, type, tag::ba, activation));
}

}  // namespace

struct DenseMatmul::State {
  // By row count, weight shape, type and activation: a Linear's weight may be pruned or converted.
  ShapeCache<std::tuple<int64_t, int64_t, int64_t, dt, Activation>, dnnl::matmul> by_shape{kRowCountsKept};
};

DenseMatmul::DenseMatmul() : state_(std::make_shared<State>()) {}

torch::Tensor DenseMatmul::forward(const torch::Tensor& rows, const torch::Tensor& weight, const torch::Tensor& bias,
                                   Activation activation) const {
  const int64_t m = rows.size(0), in = weight.size(1), out = weight.size(0);
  auto output = torch::empty({m, out}, rows.options());
  if (m == 0) return output;
  const auto type = dnnl_float_type(weight.scalar_type());
  const auto primitive = state_->by_shape.get({m, in, out, type, activation},
                                              [&] { return make_dense_matmul(m, in, out, type, activation); });
  const auto& engine = cpu_engine();
  dnnl::memory src({{m, in}, type, tag::ab}, engine, rows.data_ptr());
  dnnl::memory weights({{in, out}, type, tag::ba}, engine, weight.data_ptr());
  dnnl::memory shift({{1, out}, type, tag::ab}, engine, bias.data_ptr());
  dnnl::memory dst({{m, out}, type, tag::ab}, engine, output.data_ptr());
  primitive.execute(thread_stream(), {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_BIAS, shift}, {DNNL_ARG_DST, dst}});
  return output;
}

bool dense_matmul_applies(const torch::Tensor& input, const torch::Tensor& weight, const torch::Tensor& bias) {
  static const bool disabled = dense_kernel_choice() == "blas";
  if (disabled || !bias.defined() || input.dim() < 2 || !input.device().is_cpu() || !weight.device().is_cpu()) return false;
  if (weight.dim() != 2 || input.size(-1) != weight.size(1) || bias.numel() != weight.size(0)) return false;
  const auto type = weight.scalar_type();
  if ((type != torch::kFloat && type != torch::kBFloat16) || input.scalar_type() != type || bias.scalar_type() != type) {
    return false;
  }
  if (weight.numel() == 0 || !weight.is_contiguous() || !bias.is_contiguous()) return false;
  const bool wants_gradient = input.requires_grad() || weight.requires_grad() || bias.requires_grad();
  return !(torch::GradMode::is_enabled() && wants_gradient);
}

}  // namespace tpq::kernels
