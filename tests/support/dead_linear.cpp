#include "support/dead_linear.h"

#include <limits>

#include <torch/torch.h>

#include "tpq/model/model_state.h"

namespace tpq::testing {

double relative_error(const torch::Tensor& actual, const torch::Tensor& expected) {
  return ((actual - expected).norm() / expected.norm()).item<double>();
}

double smallest_dead_linear_change(const ModelFactory& make_model, const model::ModelInputs& inputs, const OutputOf& output) {
  torch::NoGradGuard no_grad;
  auto reference = make_model();
  const auto expected = output(reference->forward(inputs));
  double smallest = std::numeric_limits<double>::infinity();
  for (const auto& [name, unused] : model::named_linears(*reference)) {
    if (name.rfind("bert.encoder.", 0) != 0) continue;
    auto broken = make_model();
    for (const auto& [other, linear] : model::named_linears(*broken)) {
      if (other != name) continue;
      linear->weight.zero_();
      linear->bias.zero_();
    }
    smallest = std::min(smallest, relative_error(output(broken->forward(inputs)), expected));
  }
  return smallest;
}

}  // namespace tpq::testing
