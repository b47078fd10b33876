// Registers a module at a dotted path ("attention.self.query") below a root module, creating plain
// holder modules for the path's inner names as HF's nesting has them; reuses holders already there.
#pragma once

#include <memory>
#include <string>

#include <torch/nn/module.h>

namespace tpq::model {

std::shared_ptr<torch::nn::Module> holder_at(torch::nn::Module& root, const std::string& dotted_path);

template <typename ModuleHolder>
ModuleHolder register_at(torch::nn::Module& root, const std::string& dotted_path, ModuleHolder module) {
  const auto dot = dotted_path.rfind('.');
  if (dot == std::string::npos) return root.register_module(dotted_path, module);
  return holder_at(root, dotted_path.substr(0, dot))->register_module(dotted_path.substr(dot + 1), module);
}

}  // namespace tpq::model
