// Inference attention, softmax(q k^T * scale + mask) v, on three oneDNN primitives: the score
// matmul reads q and k where the projections wrote them (no head split copies) and applies the
// scale and the (B, 1, 1, T) padding mask as its epilogue (no (B, H, T, T) mask broadcast), the
// softmax runs in place, and the context matmul writes straight into the (B, T, H*d) layout the
// output projection reads. Measured against LibTorch's ops: docs/performance.md.
#pragma once

#include <cstdint>
#include <memory>

#include <torch/types.h>

namespace tpq::kernels {

class Attention {
 public:
  Attention();
  // query, key, value: contiguous FP32 (B, T, heads*d); additive_mask: FP32 (B, 1, 1, T) or
  // undefined. Returns (B, T, heads*d).
  torch::Tensor forward(const torch::Tensor& query, const torch::Tensor& key, const torch::Tensor& value,
                        const torch::Tensor& additive_mask, int64_t heads, float scale) const;

 private:
  struct Cache;
  std::shared_ptr<Cache> cache_;
};

// Whether Attention may stand in for LibTorch's ops: FP32 on the CPU, no gradient wanted, and
// TPQ_DENSE_KERNEL is not "blas". (BF16 is left to LibTorch: oneDNN 2.6 has no brgemm kernel for
// the strided batched layouts and its fallback measured 2x slower than LibTorch's.)
bool attention_kernel_applies(const torch::Tensor& query, const torch::Tensor& additive_mask);

}  // namespace tpq::kernels
