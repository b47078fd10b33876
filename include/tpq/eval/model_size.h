// Model size as it really is: bytes of the saved files on disk, parameter count, non-zeros.
#pragma once

#include <cstdint>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "tpq/model/encoder_classifier.h"

namespace tpq::eval {

struct ModelSize {
  uint64_t file_bytes = 0;  // all regular files of the saved model directory
  uint64_t weights_bytes = 0;  // model.safetensors alone
  int64_t params = 0;
  int64_t nonzero_params = 0;

  double file_mb() const { return file_bytes / (1024.0 * 1024.0); }
  double sparsity() const { return params > 0 ? 1.0 - static_cast<double>(nonzero_params) / params : 0.0; }
};

// model_dir must hold the saved model (a size is never estimated when a file exists).
ModelSize measure_model_size(model::EncoderClassifierImpl& model, const std::filesystem::path& model_dir);

}  // namespace tpq::eval
