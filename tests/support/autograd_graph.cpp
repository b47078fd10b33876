#include "support/autograd_graph.h"

#include <unordered_set>
#include <vector>

#include <torch/autograd.h>

namespace tpq::testing {

bool graph_has_node(const torch::Tensor& out, const std::string& name_part) {
  std::vector<torch::autograd::Node*> stack{out.grad_fn().get()};
  std::unordered_set<torch::autograd::Node*> seen;
  while (!stack.empty()) {
    auto* node = stack.back();
    stack.pop_back();
    if (!node || !seen.insert(node).second) continue;
    if (node->name().find(name_part) != std::string::npos) return true;
    for (const auto& edge : node->next_edges()) stack.push_back(edge.function.get());
  }
  return false;
}

}  // namespace tpq::testing
