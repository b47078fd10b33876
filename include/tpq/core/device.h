// Device and thread selection from user flags (--device cpu|cuda[:N], --threads N).
#pragma once

#include <string>

#include <torch/types.h>

namespace tpq {

// Parses "cpu", "cuda", "cuda:1", "auto" (cuda when available). UserError if CUDA is asked for
// but this LibTorch build or machine has none.
torch::Device parse_device(const std::string& spec);

// Waits for queued work on a CUDA device (timings must not stop at kernel launch); no-op on CPU.
void synchronize(torch::Device device);

// Sets intra-op threads; 0 keeps LibTorch's default. UserError for negative counts.
void set_threads(int threads);

}  // namespace tpq
