#include "module_paths.h"

namespace tpq::model {

std::shared_ptr<torch::nn::Module> holder_at(torch::nn::Module& root, const std::string& dotted_path) {
  torch::nn::Module* parent = &root;
  std::shared_ptr<torch::nn::Module> current;
  std::size_t begin = 0;
  while (begin <= dotted_path.size()) {
    const auto end = std::min(dotted_path.find('.', begin), dotted_path.size());
    const std::string name = dotted_path.substr(begin, end - begin);
    const auto children = parent->named_children();
    if (const auto* found = children.find(name)) {
      current = *found;
    } else {
      current = parent->register_module(name, std::make_shared<torch::nn::Module>());
    }
    parent = current.get();
    begin = end + 1;
  }
  return current;
}

}  // namespace tpq::model
