#include "tpq/kernels/dense_matmul.h"

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include <torch/torch.h>

#include "kernels/dnnl_engine.h"
#include "kernels/dnnl_post_ops.h"

namespace tpq::kernels {
namespace {

using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

constexpr size_t kMaxCachedRowCounts = 256;  // inputs of many lengths: bounds the primitives kept

dt dnnl_type(torch::ScalarType type) { return type == torch::kBFloat16 ? dt::bf16 : dt::f32; }

bool dense_kernel_disabled() {
  const char* choice = std::getenv("TPQ_DENSE_KERNEL");
  return choice != nullptr && std::strcmp(choice, "blas") == 0;
}

}  // namespace

struct DenseMatmul::State {
  int64_t in = 0;
  int64_t out = 0;
  torch::ScalarType dtype = torch::kFloat;
  std::mutex mutex;
  std::unordered_map<int64_t, dnnl::matmul> by_shape;  // by row count and activation

  dnnl::matmul primitive(int64_t rows, Activation activation) {
    const int64_t key = rows * 4 + static_cast<int64_t>(activation);
    std::lock_guard<std::mutex> lock(mutex);
    auto found = by_shape.find(key);
    if (found != by_shape.end()) return found->second;
    if (by_shape.size() >= kMaxCachedRowCounts) by_shape.clear();
    const auto type = dnnl_type(dtype);
    dnnl::post_ops post_ops;
    append_activation(post_ops, activation);
    dnnl::primitive_attr attr;
    attr.set_post_ops(post_ops);
    // The weight [out, in] row-major is the [in, out] matrix the primitive multiplies by, read as "ba".
    const dnnl::matmul::desc desc({{rows, in}, type, tag::ab}, {{in, out}, type, tag::ba}, {{1, out}, type, tag::ab},
                                  {{rows, out}, type, tag::ab});
    return by_shape.emplace(key, dnnl::matmul(dnnl::matmul::primitive_desc(desc, attr, cpu_engine()))).first->second;
  }
};

DenseMatmul::DenseMatmul(int64_t in, int64_t out, torch::ScalarType dtype) : state_(std::make_shared<State>()) {
  state_->in = in;
  state_->out = out;
  state_->dtype = dtype;
}

bool DenseMatmul::fits(int64_t in, int64_t out, torch::ScalarType dtype) const {
  return state_->in == in && state_->out == out && state_->dtype == dtype;
}

torch::Tensor DenseMatmul::forward(const torch::Tensor& rows, const torch::Tensor& weight, const torch::Tensor& bias,
                                   Activation activation) const {
  auto& s = *state_;
  const int64_t m = rows.size(0);
  auto output = torch::empty({m, s.out}, rows.options());
  if (m == 0) return output;
  const auto type = dnnl_type(s.dtype);
  const auto& engine = cpu_engine();
  dnnl::memory src({{m, s.in}, type, tag::ab}, engine, rows.data_ptr());
  dnnl::memory weights({{s.in, s.out}, type, tag::ba}, engine, weight.data_ptr());
  dnnl::memory shift({{1, s.out}, type, tag::ab}, engine, bias.data_ptr());
  dnnl::memory dst({{m, s.out}, type, tag::ab}, engine, output.data_ptr());
  s.primitive(m, activation).execute(thread_stream(),
                                     {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_BIAS, shift}, {DNNL_ARG_DST, dst}});
  return output;
}

bool dense_matmul_applies(const torch::Tensor& input, const torch::Tensor& weight, const torch::Tensor& bias) {
  static const bool disabled = dense_kernel_disabled();
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
