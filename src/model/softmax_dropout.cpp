#include "tpq/model/softmax_dropout.h"

#include <algorithm>
#include <atomic>
#include <vector>

#include <ATen/Parallel.h>
#include <c10/util/BFloat16.h>
#include <torch/autograd.h>

#include "counter_hash.h"
#include "softmax_dropout_rows.h"
#include "tpq/core/error.h"

namespace tpq::model {
namespace {

constexpr int64_t kElementsPerTask = 16384;  // rows are handed to threads in blocks of about this size

int64_t rows_per_task(int64_t length) { return std::max<int64_t>(1, kElementsPerTask / std::max<int64_t>(length, 1)); }

template <typename T>
void forward_rows(const torch::Tensor& scores, const torch::Tensor& mask, const detail::DropRule& rule,
                  torch::Tensor& probs, torch::Tensor& dropped, torch::Tensor& keep, bool vectorized) {
  const int64_t length = scores.size(-1), rows = scores.numel() / length;
  const int64_t rows_per_batch = scores.size(1) * scores.size(2);  // heads x query positions share a mask row
  const T* in = scores.data_ptr<T>();
  const float* mask_rows = mask.defined() ? mask.data_ptr<float>() : nullptr;
  T* prob_out = probs.data_ptr<T>();
  T* dropped_out = dropped.data_ptr<T>();
  auto* keep_out = reinterpret_cast<uint8_t*>(keep.data_ptr<bool>());
  const auto scale = static_cast<float>(rule.scale);
  at::parallel_for(0, rows, rows_per_task(length), [&](int64_t begin, int64_t end) {
    std::vector<float> scratch(length);
    for (int64_t r = begin; r < end; ++r) {
      const int64_t offset = r * length;
      detail::fill_keep(rule, offset, length, keep_out + offset);
      const detail::ForwardRow<T> row{in + offset, mask_rows ? mask_rows + (r / rows_per_batch) * length : nullptr,
                                      keep_out + offset, prob_out + offset, dropped_out + offset};
      if (vectorized) {
        detail::forward_row_avx512(row, length, scale, scratch.data());
      } else {
        detail::forward_row_portable(row, length, scale, scratch.data());
      }
    }
  });
}

template <typename T>
void backward_rows(const torch::Tensor& grad_dropped, const torch::Tensor& probs, const torch::Tensor& keep,
                   float scale, torch::Tensor& grad_scores, bool vectorized) {
  const int64_t length = probs.size(-1), rows = probs.numel() / length;
  const T* grad_in = grad_dropped.data_ptr<T>();
  const T* prob_in = probs.data_ptr<T>();
  const auto* keep_in = reinterpret_cast<const uint8_t*>(keep.data_ptr<bool>());
  T* grad_out = grad_scores.data_ptr<T>();
  at::parallel_for(0, rows, rows_per_task(length), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const int64_t offset = r * length;
      const detail::BackwardRow<T> row{grad_in + offset, prob_in + offset, keep_in + offset, grad_out + offset};
      if (vectorized) {
        detail::backward_row_avx512(row, length, scale);
      } else {
        detail::backward_row_portable(row, length, scale);
      }
    }
  });
}

// Calls body.operator()<T>() for the scalar type's T (FP32 or BF16; softmax_dropout_applies checked it).
template <typename Body>
void dispatch_rows(torch::ScalarType type, Body&& body) {
  if (type == torch::kFloat) {
    body(float{});
  } else {
    body(c10::BFloat16{});
  }
}

struct SoftmaxDropoutFunction : torch::autograd::Function<SoftmaxDropoutFunction> {
  static torch::Tensor forward(torch::autograd::AutogradContext* context, const torch::Tensor& scores,
                               const torch::Tensor& additive_mask, double p, bool vectorized) {
    const auto rule = detail::draw_rule(p);
    const auto in = scores.contiguous();
    // The mask in FP32: a BF16 mask's lowest value is exact there, and the add is done in FP32 anyway.
    const auto mask = additive_mask.numel() > 0 ? additive_mask.to(torch::kFloat).contiguous() : torch::Tensor();
    auto probs = torch::empty_like(in), dropped = torch::empty_like(in);
    auto keep = torch::empty(in.sizes(), in.options().dtype(torch::kBool));
    dispatch_rows(in.scalar_type(), [&](auto tag) {
      forward_rows<decltype(tag)>(in, mask, rule, probs, dropped, keep, vectorized);
    });
    context->save_for_backward({probs, keep});
    context->saved_data["scale"] = rule.scale;
    context->saved_data["vectorized"] = vectorized;
    return dropped;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* context,
                                               torch::autograd::tensor_list gradients) {
    const auto saved = context->get_saved_variables();
    const auto& probs = saved.at(0);
    const auto grad = gradients.at(0).to(probs.scalar_type()).contiguous();
    auto grad_scores = torch::empty_like(probs);
    const auto scale = static_cast<float>(context->saved_data["scale"].toDouble());
    const bool vectorized = context->saved_data["vectorized"].toBool();
    dispatch_rows(probs.scalar_type(), [&](auto tag) {
      backward_rows<decltype(tag)>(grad, probs, saved.at(1), scale, grad_scores, vectorized);
    });
    return {grad_scores, torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

std::atomic<bool> fused_enabled{true};

}  // namespace

void set_fused_softmax_dropout(bool enabled) { fused_enabled = enabled; }
bool fused_softmax_dropout_enabled() { return fused_enabled; }

bool softmax_dropout_applies(const torch::Tensor& scores, const torch::Tensor& additive_mask) {
  if (!scores.defined() || !scores.device().is_cpu() || scores.dim() != 4 || scores.numel() == 0) return false;
  if (scores.scalar_type() != torch::kFloat && scores.scalar_type() != torch::kBFloat16) return false;
  if (!additive_mask.defined()) return true;
  return additive_mask.sizes() == torch::IntArrayRef{scores.size(0), 1, 1, scores.size(3)} &&
         additive_mask.is_floating_point();
}

torch::Tensor softmax_dropout(const torch::Tensor& scores, const torch::Tensor& additive_mask, double p,
                              bool vectorized) {
  require(p > 0.0 && p < 1.0, "softmax_dropout needs a dropout probability in (0, 1), got " + std::to_string(p));
  require(softmax_dropout_applies(scores, additive_mask),
          "softmax_dropout takes CPU FP32/BF16 scores (B, heads, T, T) and a (B, 1, 1, T) mask");
  // LibTorch 1.13's Function::apply cannot take an undefined tensor: no mask travels as an empty one.
  const auto mask = additive_mask.defined() ? additive_mask : torch::empty({0}, scores.options());
  return SoftmaxDropoutFunction::apply(scores, mask, p, vectorized && detail::avx512_rows_supported());
}

}  // namespace tpq::model
