// Which GEMM kernels this process runs, for every results record: tpq's own oneDNN primitives or
// LibTorch's, and the instruction set oneDNN dispatches to on this CPU.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace tpq::kernels {

// "direct" (tpq's oneDNN INT8 matmul) when the quantized engine is onednn and TPQ_INT8_KERNEL is
// not "engine"; else "engine" (LibTorch's quantized::linear on that engine).
std::string int8_kernel_choice();

// "onednn" (tpq's oneDNN matmul for FP32/BF16 Linears and attention, and tpq bench packing its
// weights), "unpacked" (the same without the packing), or "blas" (LibTorch's linear and attention
// ops): TPQ_DENSE_KERNEL, "onednn" when unset or unknown.
std::string dense_kernel_choice();

// "first-token" (the classifier's last layer computes only the row its head reads, in
// EncoderClassifierImpl::logits) or "full" (every row, as HF does): TPQ_LAST_LAYER, "first-token"
// when unset or unknown.
std::string last_layer_choice();

// {"dense_linear": "onednn matmul" | "libtorch linear (BLAS)", "int8_linear": ..., "onednn_isa": ...,
//  "last_layer": "first token only" | "every position"}
nlohmann::json kernel_record();

}  // namespace tpq::kernels
