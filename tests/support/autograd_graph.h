// What a test can ask of the autograd graph behind a tensor: which nodes made it (the values of a
// fused node and of the ops it replaces may agree, so the graph tells which path ran).
#pragma once

#include <string>

#include <torch/types.h>

namespace tpq::testing {

// Whether any node of out's backward graph has a name containing name_part.
bool graph_has_node(const torch::Tensor& out, const std::string& name_part);

}  // namespace tpq::testing
