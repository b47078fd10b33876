// Quantizes float rows to uint8 (asymmetric, per tensor) on a oneDNN reorder: JIT-vectorised and
// threaded, where LibTorch 1.13 without fbgemm quantizes in a scalar, single-threaded loop.
#pragma once

#include <cstdint>
#include <memory>

#include <torch/types.h>

namespace tpq::kernels {

struct U8Grid {
  float scale = 1.0f;
  int32_t zero_point = 0;
  // The grid PyTorch's observers and dynamic quantization pick: [min, max] widened to hold 0,
  // 256 levels. Static INT8's calibrated grids (quant::ActivationQuant) are made by it too.
  static U8Grid covering(double min_value, double max_value);
};

// Rows quantized on one grid: what an INT8 GEMM takes.
struct QuantizedRows {
  torch::Tensor values;  // uint8 [M, K]
  U8Grid grid;
};

// The grid covering `rows` (contiguous float).
U8Grid dynamic_grid(const torch::Tensor& rows);

class U8Quantizer {
 public:
  U8Quantizer();
  // rows: contiguous float [M, K] -> uint8 [M, K], saturating at 0 and 255.
  torch::Tensor quantize(const torch::Tensor& rows, const U8Grid& grid) const;

 private:
  struct Cache;
  std::shared_ptr<Cache> cache_;
};

}  // namespace tpq::kernels
