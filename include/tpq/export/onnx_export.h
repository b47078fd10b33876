// `tpq export --format onnx`: a tpq (or HF) encoder classifier as one ONNX file that ONNX Runtime
// runs with tpq's logits. Inputs are named as HF's ONNX exports name them (input_ids,
// attention_mask, token_type_ids where the family has token types), dynamic batch and sequence
// axes; the output is `logits`. Written with Debian's libonnx and passed through its checker.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace tpq::exporting {

struct OnnxExportOptions {
  int64_t opset = 17;  // LayerNormalization is an ONNX op from opset 17
};

struct OnnxExportResult {
  std::filesystem::path file;
  uint64_t bytes = 0;
  // "dense", "pruned" (smaller shapes) or "sparse" (dense with zeros), then " int8_dynamic",
  // " int8_static" or " fp16" for the Linears' kernels
  std::string kind;
  std::vector<std::string> inputs;       // graph input names
  std::vector<std::string> copied_files; // tokenizer and config files written beside the .onnx
  double zero_fraction = 0;              // of the encoder Linear weights
};

// Loads the checkpoint in `model_dir` and writes `output` (staged beside it, then renamed) with the
// checkpoint's tokenizer files and config.json beside it. FP32 models (dense, head/FFN-pruned,
// unstructured-sparse), FP16, dynamic INT8 (DynamicQuantizeLinear + MatMulInteger) and static
// INT8 / QAT (QDQ with the calibrated grids). UserError, and no file written, for a kernel it does
// not cover (BF16), an opset other than 17, or a bad path.
OnnxExportResult export_onnx(const std::filesystem::path& model_dir, const std::filesystem::path& output,
                             const OnnxExportOptions& options = {});

}  // namespace tpq::exporting
