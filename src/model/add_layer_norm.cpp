#include "tpq/model/add_layer_norm.h"

#include <algorithm>
#include <atomic>

#include <ATen/Parallel.h>
#include <ATen/autocast_mode.h>
#include <torch/autograd.h>

#include "add_layer_norm_rows.h"
#include "softmax_dropout_rows.h"  // avx512_rows_supported

namespace tpq::model {
namespace {

constexpr int64_t kElementsPerTask = 16384;
// Backward sums the weight and bias gradients per block of rows, then the blocks in order: a fixed
// block count keeps the sums independent of the thread count.
constexpr int64_t kGradientBlocks = 32;

int64_t rows_per_task(int64_t width) { return std::max<int64_t>(1, kElementsPerTask / std::max<int64_t>(width, 1)); }

std::atomic<bool> fused_enabled{true};

bool use_avx512(bool vectorized) { return vectorized && detail::avx512_rows_supported(); }

void forward_rows(const detail::AddNormForward& job, int64_t rows, int64_t width, bool vectorized) {
  const bool avx512 = use_avx512(vectorized);
  at::parallel_for(0, rows, rows_per_task(width), [&](int64_t begin, int64_t end) {
    if (avx512) {
      detail::avx512::add_norm_forward_rows(job, begin, end, width);
    } else {
      detail::portable::add_norm_forward_rows(job, begin, end, width);
    }
  });
}

// -> {grad_weight, grad_bias}
std::pair<torch::Tensor, torch::Tensor> backward_rows(const detail::AddNormBackward& job, int64_t rows, int64_t width,
                                                      bool vectorized) {
  const bool avx512 = use_avx512(vectorized);
  const int64_t blocks = std::min(rows, kGradientBlocks), rows_per_block = (rows + blocks - 1) / blocks;
  auto partial = torch::zeros({2, blocks, width}, torch::kFloat);
  float* partial_weight = partial[0].data_ptr<float>();
  float* partial_bias = partial[1].data_ptr<float>();
  at::parallel_for(0, blocks, 1, [&](int64_t first, int64_t last) {
    for (int64_t block = first; block < last; ++block) {
      const int64_t begin = block * rows_per_block, end = std::min(rows, begin + rows_per_block);
      float* grad_weight = partial_weight + block * width;
      float* grad_bias = partial_bias + block * width;
      if (avx512) {
        detail::avx512::add_norm_backward_rows(job, begin, end, width, grad_weight, grad_bias);
      } else {
        detail::portable::add_norm_backward_rows(job, begin, end, width, grad_weight, grad_bias);
      }
    }
  });
  const auto sums = partial.sum(1);
  return {sums[0], sums[1]};
}

struct AddLayerNormFunction : torch::autograd::Function<AddLayerNormFunction> {
  static torch::autograd::tensor_list forward(torch::autograd::AutogradContext* context, const torch::Tensor& branch,
                                              const torch::Tensor& residual, const torch::Tensor& weight,
                                              const torch::Tensor& bias, double eps, bool vectorized) {
    const int64_t width = residual.size(-1), rows = residual.numel() / std::max<int64_t>(width, 1);
    auto sum = torch::empty_like(residual), out = torch::empty_like(residual);
    auto low = torch::empty_like(residual, residual.options().dtype(torch::kBFloat16));
    auto mean = torch::empty({rows}, residual.options()), rstd = torch::empty({rows}, residual.options());
    const detail::AddNormForward job{branch.data_ptr<c10::BFloat16>(), residual.data_ptr<float>(), weight.data_ptr<float>(),
                                     bias.data_ptr<float>(), static_cast<float>(eps), sum.data_ptr<float>(),
                                     mean.data_ptr<float>(), rstd.data_ptr<float>(), out.data_ptr<float>(),
                                     low.data_ptr<c10::BFloat16>()};
    forward_rows(job, rows, width, vectorized);
    context->save_for_backward({sum, mean, rstd, weight});
    context->saved_data["vectorized"] = vectorized;
    context->set_materialize_grads(false);  // an unused output (the last layer's bf16 copy) sends no zeros
    return {out, low};
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* context,
                                               torch::autograd::tensor_list gradients) {
    const auto saved = context->get_saved_variables();
    const auto &sum = saved[0], &mean = saved[1], &rstd = saved[2], &weight = saved[3];
    const auto grad_full = gradients[0].defined() ? gradients[0].to(torch::kFloat).contiguous() : torch::Tensor();
    const auto grad_low = gradients[1].defined() ? gradients[1].to(torch::kBFloat16).contiguous() : torch::Tensor();
    auto grad_residual = torch::empty_like(sum);
    auto grad_branch = torch::empty_like(sum, sum.options().dtype(torch::kBFloat16));
    const int64_t width = sum.size(-1), rows = sum.numel() / std::max<int64_t>(width, 1);
    const detail::AddNormBackward job{grad_full.defined() ? grad_full.data_ptr<float>() : nullptr,
                                      grad_low.defined() ? grad_low.data_ptr<c10::BFloat16>() : nullptr,
                                      sum.data_ptr<float>(), mean.data_ptr<float>(), rstd.data_ptr<float>(),
                                      weight.data_ptr<float>(), grad_residual.data_ptr<float>(),
                                      grad_branch.data_ptr<c10::BFloat16>()};
    auto [grad_weight, grad_bias] = backward_rows(job, rows, width, context->saved_data["vectorized"].toBool());
    return {grad_branch, grad_residual, grad_weight, grad_bias, torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

void set_fused_add_layer_norm(bool enabled) { fused_enabled = enabled; }
bool fused_add_layer_norm_enabled() { return fused_enabled; }

bool add_layer_norm_applies(const torch::Tensor& branch, const torch::Tensor& residual, const torch::Tensor& weight,
                            const torch::Tensor& bias) {
  if (!torch::GradMode::is_enabled() || !at::autocast::is_cpu_enabled()) return false;
  if (at::autocast::get_autocast_cpu_dtype() != torch::kBFloat16) return false;
  if (!branch.is_cpu() || !residual.is_cpu() || branch.scalar_type() != torch::kBFloat16) return false;
  if (residual.scalar_type() != torch::kFloat || branch.sizes() != residual.sizes() || residual.dim() < 1) return false;
  if (!branch.is_contiguous() || !residual.is_contiguous()) return false;
  const int64_t width = residual.size(-1);
  const auto affine = [&](const torch::Tensor& t) {
    return t.defined() && t.is_cpu() && t.scalar_type() == torch::kFloat && t.dim() == 1 && t.size(0) == width &&
           t.is_contiguous();
  };
  return width > 0 && affine(weight) && affine(bias);
}

HiddenStates add_layer_norm(const torch::Tensor& branch, const torch::Tensor& residual, const torch::Tensor& weight,
                            const torch::Tensor& bias, double eps, bool vectorized) {
  const auto outputs = AddLayerNormFunction::apply(branch, residual, weight, bias, eps, vectorized);
  return {outputs[0], outputs[1]};
}

}  // namespace tpq::model
