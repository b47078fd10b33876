#include "tpq/kernels/u8_quantizer.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <unordered_map>

#include <torch/torch.h>

#include "kernels/dnnl_engine.h"

namespace tpq::kernels {
namespace {

using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

// Bounds the primitives kept for inputs of many lengths (each is a few KB of JIT code).
constexpr size_t kMaxCachedReorders = 256;

dnnl::reorder make_quantize_reorder(int64_t rows, int64_t cols) {
  dnnl::primitive_attr attr;
  attr.set_output_scales(0, {DNNL_RUNTIME_F32_VAL});
  attr.set_zero_points(DNNL_ARG_DST, 0, {DNNL_RUNTIME_S32_VAL});
  const dnnl::memory::desc from({rows, cols}, dt::f32, tag::ab);
  const dnnl::memory::desc to({rows, cols}, dt::u8, tag::ab);
  return dnnl::reorder(dnnl::reorder::primitive_desc(cpu_engine(), from, cpu_engine(), to, attr));
}

}  // namespace

U8Grid U8Grid::covering(float min_value, float max_value) {
  min_value = std::min(min_value, 0.0f);
  max_value = std::max(max_value, 0.0f);
  U8Grid grid;
  grid.scale = std::max((max_value - min_value) / 255.0f, 1e-8f);
  grid.zero_point = std::clamp(static_cast<int32_t>(std::nearbyint(-min_value / grid.scale)), 0, 255);
  return grid;
}

U8Grid dynamic_grid(const torch::Tensor& rows) {
  if (rows.numel() == 0) return U8Grid::covering(0, 0);
  const auto [low, high] = torch::aminmax(rows);
  return U8Grid::covering(low.item<float>(), high.item<float>());
}

struct U8Quantizer::Cache {
  std::mutex mutex;
  std::unordered_map<int64_t, dnnl::reorder> by_rows;  // the column count is fixed per layer

  dnnl::reorder get(int64_t rows, int64_t cols) {
    std::lock_guard<std::mutex> lock(mutex);
    auto found = by_rows.find(rows);
    if (found != by_rows.end()) return found->second;
    if (by_rows.size() >= kMaxCachedReorders) by_rows.clear();
    return by_rows.emplace(rows, make_quantize_reorder(rows, cols)).first->second;
  }
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
  cache_->get(m, k).execute(thread_stream(), {{DNNL_ARG_FROM, from},
                                              {DNNL_ARG_TO, to},
                                              {DNNL_ARG_ATTR_OUTPUT_SCALES, scale},
                                              {DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_DST, zero}});
  return output;
}

}  // namespace tpq::kernels
