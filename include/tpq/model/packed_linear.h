// Freezing a model's FP32/BF16 Linears for inference: each weight packed once into oneDNN's
// blocked layout (kernels::PackedDenseMatmul) and its [out, in] original released, so the packed
// copy costs no memory. The model computes what it did (to float rounding) and still saves as HF
// tensors; it cannot be trained, pruned or quantized afterwards.
#pragma once

#include <memory>

#include "tpq/kernels/packed_dense_matmul.h"
#include "tpq/model/encoder_classifier.h"
#include "tpq/model/linear.h"

namespace tpq::model {

class PackedLinear : public LinearKernel {
 public:
  explicit PackedLinear(const LinearImpl& linear);
  torch::Tensor forward(const torch::Tensor& input) const override;
  torch::Tensor forward_activated(const torch::Tensor& input, kernels::Activation activation) const override;
  std::string describe() const override;
  std::vector<std::pair<std::string, torch::Tensor>> export_tensors(const std::string& prefix) const override;

 private:
  kernels::PackedDenseMatmul matmul_;
  torch::ScalarType dtype_;
};

// Packs every CPU FP32/BF16 Linear that has no kernel yet; returns how many. Does nothing (0) when
// TPQ_DENSE_KERNEL=blas asks for LibTorch's linear, or =unpacked for oneDNN on the weights in place.
int64_t pack_linears_for_inference(EncoderClassifierImpl& model);

}  // namespace tpq::model
