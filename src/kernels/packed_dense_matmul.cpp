#include "tpq/kernels/packed_dense_matmul.h"

#include <utility>

#include <torch/torch.h>

#include "kernels/dnnl_engine.h"
#include "kernels/dnnl_post_ops.h"
#include "kernels/shape_cache.h"
#include "kernels/weight_packs.h"

namespace tpq::kernels {
namespace {

using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

constexpr int64_t kPackingRows = 128;     // the row count whose layout the first (and usually only) pack takes

}  // namespace

struct PackedDenseMatmul::State {
  int64_t in = 0;
  int64_t out = 0;
  dt type = dt::f32;
  torch::Tensor bias;  // [1, out]
  std::unique_ptr<WeightPacks> packs;
  ShapeCache<std::pair<int64_t, Activation>, PackedPrimitive> by_shape{kRowCountsKept};  // by row count and activation

  dnnl::matmul::primitive_desc describe(int64_t rows, Activation activation) const {
    return dense_matmul_desc(rows, in, out, type, tag::any, activation);
  }

  PackedPrimitive prepared(int64_t rows, Activation activation) {
    return by_shape.get({rows, activation}, [&] { return packs->prepare(describe(rows, activation)); });
  }
};

PackedDenseMatmul::PackedDenseMatmul(const torch::Tensor& weight, const torch::Tensor& bias) : state_(std::make_shared<State>()) {
  auto& s = *state_;
  const auto plain = weight.detach().contiguous();
  s.out = plain.size(0);
  s.in = plain.size(1);
  s.type = dnnl_float_type(plain.scalar_type());
  s.bias = bias.detach().to(plain.scalar_type()).reshape({1, s.out}).contiguous();
  s.packs = std::make_unique<WeightPacks>(dnnl::memory({{s.in, s.out}, s.type, tag::ba}, cpu_engine(), plain.data_ptr()));
  s.prepared(kPackingRows, Activation::None);  // packs now, while `plain` is alive
  s.packs->adopt_first_pack_as_source();
}

torch::Tensor PackedDenseMatmul::forward(const torch::Tensor& rows, Activation activation) const {
  auto& s = *state_;
  const int64_t m = rows.size(0);
  auto output = torch::empty({m, s.out}, rows.options());
  if (m == 0) return output;
  const auto prepared = s.prepared(m, activation);
  const auto& engine = cpu_engine();
  dnnl::memory src({{m, s.in}, s.type, tag::ab}, engine, rows.data_ptr());
  dnnl::memory shift({{1, s.out}, s.type, tag::ab}, engine, s.bias.data_ptr());
  dnnl::memory dst({{m, s.out}, s.type, tag::ab}, engine, output.data_ptr());
  prepared.primitive.execute(thread_stream(), {{DNNL_ARG_SRC, src},
                                               {DNNL_ARG_WEIGHTS, *prepared.weights},
                                               {DNNL_ARG_BIAS, shift},
                                               {DNNL_ARG_DST, dst}});
  return output;
}

torch::Tensor PackedDenseMatmul::weight() const {
  const auto& s = *state_;
  auto plain = torch::empty({s.out, s.in}, s.bias.options());
  dnnl::memory target({{s.in, s.out}, s.type, tag::ba}, cpu_engine(), plain.data_ptr());
  auto source = s.packs->source();
  dnnl::reorder(source, target).execute(thread_stream(), source, target);
  thread_stream().wait();
  return plain;
}

const torch::Tensor& PackedDenseMatmul::bias() const { return state_->bias; }

}  // namespace tpq::kernels
