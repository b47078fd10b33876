#include "tpq/eval/model_size.h"

#include <torch/torch.h>

#include "tpq/core/error.h"
#include "tpq/io/checkpoint.h"

namespace tpq::eval {

ModelSize measure_model_size(model::BertForSequenceClassificationImpl& model, const std::filesystem::path& model_dir) {
  ModelSize size;
  require(std::filesystem::is_directory(model_dir), model_dir.string() + ": saved model directory not found");
  size.file_bytes = io::directory_bytes(model_dir);
  const auto weights = model_dir / "model.safetensors";
  if (std::filesystem::exists(weights)) size.weights_bytes = std::filesystem::file_size(weights);
  for (const auto& parameter : model.parameters()) {
    size.params += parameter.numel();
    size.nonzero_params += parameter.count_nonzero().item<int64_t>();
  }
  return size;
}

nlohmann::json ModelSize::to_json() const {
  return {{"file_bytes", file_bytes},         {"file_mb", file_mb()},
          {"weights_bytes", weights_bytes},   {"weights_mb", weights_bytes / (1024.0 * 1024.0)},
          {"params", params},                 {"nonzero_params", nonzero_params},
          {"sparsity", sparsity()}};
}

}  // namespace tpq::eval
