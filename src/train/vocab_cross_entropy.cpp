#include "tpq/train/vocab_cross_entropy.h"

#include <algorithm>

#include <ATen/autocast_mode.h>
#include <torch/autograd.h>
#include <torch/torch.h>

#include "tpq/core/error.h"

namespace tpq::train {
namespace {

// Rows per block: a block of FP32 logits stays near 1 MiB, inside a core's L2, while the
// log-sum-exp and softmax-gradient passes walk it several times.
int64_t rows_per_block(int64_t vocab) { return std::max<int64_t>(1, (int64_t{1} << 18) / std::max<int64_t>(1, vocab)); }

torch::ScalarType product_dtype(const torch::Tensor& x) {
  if (x.is_cuda() && at::autocast::is_enabled()) return at::autocast::get_autocast_gpu_dtype();
  if (x.is_cpu() && at::autocast::is_cpu_enabled()) return at::autocast::get_autocast_cpu_dtype();
  return x.scalar_type();
}

// -> {the summed loss, log-sum-exp per row (N)}, in FP32.
std::pair<torch::Tensor, torch::Tensor> summed_loss(const torch::Tensor& logits, const torch::Tensor& labels) {
  const int64_t rows = logits.size(0), block = rows_per_block(logits.size(1));
  auto log_sum_exp = torch::empty({rows}, logits.options().dtype(torch::kFloat));
  auto total = torch::zeros({}, log_sum_exp.options());
  for (int64_t begin = 0; begin < rows; begin += block) {
    const int64_t end = std::min(rows, begin + block);
    const auto values = logits.slice(0, begin, end).to(torch::kFloat);
    const auto lse = torch::logsumexp(values, {1});
    log_sum_exp.slice(0, begin, end).copy_(lse);
    total.add_((lse - values.gather(1, labels.slice(0, begin, end).unsqueeze(1)).squeeze(1)).sum());
  }
  return {total, log_sum_exp};
}

// Overwrites `logits` with d(loss)/d(logits) = (softmax - one_hot) * scale; returns the bias gradient (V) in FP32.
torch::Tensor logits_gradient_in_place(torch::Tensor& logits, const torch::Tensor& log_sum_exp,
                                       const torch::Tensor& labels, double scale) {
  const int64_t rows = logits.size(0), block = rows_per_block(logits.size(1));
  auto bias_gradient = torch::zeros({logits.size(1)}, logits.options().dtype(torch::kFloat));
  for (int64_t begin = 0; begin < rows; begin += block) {
    const int64_t end = std::min(rows, begin + block);
    auto slice = logits.slice(0, begin, end);
    auto probabilities = slice.to(torch::kFloat).sub_(log_sum_exp.slice(0, begin, end).unsqueeze(1)).exp_();
    probabilities.scatter_add_(1, labels.slice(0, begin, end).unsqueeze(1),
                               torch::full({end - begin, 1}, -1.0, probabilities.options()));
    probabilities.mul_(scale);
    bias_gradient.add_(probabilities.sum(0));
    slice.copy_(probabilities);
  }
  return bias_gradient;
}

struct LinearCrossEntropy : torch::autograd::Function<LinearCrossEntropy> {
  static torch::Tensor forward(torch::autograd::AutogradContext* context, const torch::Tensor& x,
                               const torch::Tensor& weight, const torch::Tensor& bias, const torch::Tensor& labels) {
    const auto dtype = product_dtype(x);
    const auto x_low = x.to(dtype), weight_low = weight.to(dtype);
    auto logits = torch::addmm(bias.to(dtype), x_low, weight_low.t());  // (N, V), as aten::linear makes it
    auto [total, log_sum_exp] = summed_loss(logits, labels);
    context->save_for_backward({x_low, weight_low, logits, log_sum_exp, labels});
    context->saved_data["x_dtype"] = static_cast<int64_t>(x.scalar_type());
    context->saved_data["weight_dtype"] = static_cast<int64_t>(weight.scalar_type());
    return total.div_(static_cast<double>(x.size(0)));
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* context,
                                               torch::autograd::tensor_list gradients) {
    const auto saved = context->get_saved_variables();
    const auto &x_low = saved[0], &weight_low = saved[1], &log_sum_exp = saved[3], &labels = saved[4];
    auto logits = saved[2];
    const double scale = gradients.at(0).item<double>() / static_cast<double>(x_low.size(0));
    auto bias_gradient = logits_gradient_in_place(logits, log_sum_exp, labels, scale);
    const auto x_dtype = static_cast<torch::ScalarType>(context->saved_data["x_dtype"].toInt());
    const auto weight_dtype = static_cast<torch::ScalarType>(context->saved_data["weight_dtype"].toInt());
    auto x_gradient = torch::mm(logits, weight_low).to(x_dtype);
    auto weight_gradient = torch::mm(logits.t(), x_low).to(weight_dtype);
    return {x_gradient, weight_gradient, bias_gradient.to(weight_dtype), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor linear_cross_entropy(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                                   const torch::Tensor& labels) {
  require(x.dim() == 2 && weight.dim() == 2 && x.size(1) == weight.size(1) && bias.dim() == 1 &&
              bias.size(0) == weight.size(0) && labels.dim() == 1 && labels.size(0) == x.size(0),
          "linear_cross_entropy: expects x (N, H), weight (V, H), bias (V) and labels (N)");
  require(x.size(0) > 0, "linear_cross_entropy: no rows to score");
  require(labels.min().item<int64_t>() >= 0 && labels.max().item<int64_t>() < weight.size(0),
          "linear_cross_entropy: every label must be a vocabulary id in [0, " + std::to_string(weight.size(0)) + ")");
  return LinearCrossEntropy::apply(x, weight, bias, labels);
}

}  // namespace tpq::train
