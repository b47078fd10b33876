#include "tpq/eval/model_size.h"

#include <torch/torch.h>

#include "tpq/core/error.h"
#include "tpq/checkpoint/checkpoint.h"

namespace tpq::eval {

ModelSize measure_model_size(model::EncoderClassifierImpl& model, const std::filesystem::path& model_dir) {
  ModelSize size;
  require(std::filesystem::is_directory(model_dir), model_dir.string() + ": saved model directory not found");
  size.file_bytes = checkpoint::directory_bytes(model_dir);
  const auto weights = model_dir / "model.safetensors";
  if (std::filesystem::exists(weights)) size.weights_bytes = std::filesystem::file_size(weights);
  for (const auto& parameter : model.parameters()) {
    size.params += parameter.numel();
    size.nonzero_params += parameter.count_nonzero().item<int64_t>();
  }
  return size;
}

}  // namespace tpq::eval
