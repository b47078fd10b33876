#include "tpq/kernels/u8_quantizer.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include <torch/torch.h>

#include "kernels/dnnl_engine.h"
#include "kernels/shape_cache.h"

namespace tpq::kernels {
namespace {

using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

dnnl::reorder make_quantize_reorder(int64_t rows, int64_t cols) {
  dnnl::primitive_attr attr;
  attr.set_output_scales(0, {DNNL_RUNTIME_F32_VAL});
  attr.set_zero_points(DNNL_ARG_DST, 0, {DNNL_RUNTIME_S32_VAL});
  const dnnl::memory::desc from({rows, cols}, dt::f32, tag::ab);
  const dnnl::memory::desc to({rows, cols}, dt::u8, tag::ab);
  return dnnl::reorder(dnnl::reorder::primitive_desc(cpu_engine(), from, cpu_engine(), to, attr));
}

}  // namespace

U8Grid U8Grid::covering(double min_value, double max_value) {
  min_value = std::min(min_value, 0.0);
  max_value = std::max(max_value, 0.0);
  U8Grid grid;
  // Computed in double and rounded to float: the scale is saved as F32, and a reloaded model must compute the same.
  grid.scale = static_cast<float>(std::max((max_value - min_value) / 255.0, 1e-8));
  grid.zero_point = static_cast<int32_t>(std::clamp(std::nearbyint(-min_value / grid.scale), 0.0, 255.0));
  return grid;
}

U8Grid dynamic_grid(const torch::Tensor& rows) {
  if (rows.numel() == 0) return U8Grid::covering(0, 0);
  const auto [low, high] = torch::aminmax(rows);
  return U8Grid::covering(low.item<float>(), high.item<float>());
}

struct U8Quantizer::Cache {
  ShapeCache<std::pair<int64_t, int64_t>, dnnl::reorder> by_shape{kRowCountsKept};  // by rows and columns
};

U8Quantizer::U8Quantizer() : cache_(std::make_shared<Cache>()) {}

torch::Tensor U8Quantizer::quantize(const torch::Tensor& rows, const U8Grid& grid) const {
  const int64_t m = rows.size(0);
  const int64_t k = rows.size(1);
  auto output = torch::empty({m, k}, rows.options().dtype(torch::kByte));
  if (m == 0) return output;
  float inverse_scale = 1.0f / grid.scale;
  int32_t zero_point = grid.zero_point;
  const auto& engine = cpu_engine();
  dnnl::memory from({{m, k}, dt::f32, tag::ab}, engine, rows.data_ptr());
  dnnl::memory to({{m, k}, dt::u8, tag::ab}, engine, output.data_ptr());
  dnnl::memory scale({{1}, dt::f32, tag::a}, engine, &inverse_scale);
  dnnl::memory zero({{1}, dt::s32, tag::a}, engine, &zero_point);
  cache_->by_shape.get({m, k}, [&] { return make_quantize_reorder(m, k); }).execute(thread_stream(), {{DNNL_ARG_FROM, from},
                                              {DNNL_ARG_TO, to},
                                              {DNNL_ARG_ATTR_OUTPUT_SCALES, scale},
                                              {DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_DST, zero}});
  return output;
}

}  // namespace tpq::kernels
