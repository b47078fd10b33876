#include "tpq/model/layer_norm.h"

namespace tpq::model {

bool layer_norm_widens(const torch::Tensor& x) {
  return x.is_cpu() && (x.scalar_type() == torch::kBFloat16 || x.scalar_type() == torch::kHalf);
}

torch::Tensor layer_norm(torch::nn::LayerNormImpl& norm, const torch::Tensor& x) {
  if (!layer_norm_widens(x)) return norm.forward(x);
  const auto widen = [](const torch::Tensor& t) { return t.defined() ? t.to(torch::kFloat) : t; };
  const auto& options = norm.options;
  const auto normalized = torch::layer_norm(x.to(torch::kFloat), options.normalized_shape(), widen(norm.weight),
                                            widen(norm.bias), options.eps());
  return normalized.to(x.scalar_type());
}

}  // namespace tpq::model
