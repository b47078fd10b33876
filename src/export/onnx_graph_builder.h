// Builds an ONNX GraphProto node by node: weights become initializers, every node gets a fresh output
// name, and small integer/float constants are shared. Keeps the exporter's code about the model.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <torch/types.h>

#include "export/onnx_proto.h"

namespace tpq::exporting {

class OnnxGraphBuilder {
 public:
  explicit OnnxGraphBuilder(onnx::GraphProto& graph) : graph_(graph) {}

  // A tensor stored in the graph under `name` (int64, int8, uint8 and float16 kept, anything else as float32); returns the name.
  std::string initializer(const std::string& name, const torch::Tensor& tensor);
  // A float weight (embedding table, Linear, LayerNorm): an FP32 initializer, or with half storage
  // on, an FP16 one read through a Cast to float (the file halves; the arithmetic stays FP32).
  std::string weight(const std::string& name, const torch::Tensor& tensor);
  void set_half_storage(bool half) { half_storage_ = half; }

  std::string ints(const std::vector<int64_t>& values);  // a 1-D int64 constant
  std::string int_scalar(int64_t value);                 // a 0-D int64 constant
  std::string float_scalar(float value);                 // a 0-D float constant

  struct Attribute {
    std::string name;
    enum class Kind { Int, Float, Ints } kind;
    int64_t i = 0;
    float f = 0;
    std::vector<int64_t> ints;
  };
  static Attribute int_attribute(const std::string& name, int64_t value) { return {name, Attribute::Kind::Int, value, 0, {}}; }
  static Attribute float_attribute(const std::string& name, float value) { return {name, Attribute::Kind::Float, 0, value, {}}; }
  static Attribute ints_attribute(const std::string& name, std::vector<int64_t> values) {
    return {name, Attribute::Kind::Ints, 0, 0, std::move(values)};
  }

  // An `op` node with `outputs` outputs (e.g. DynamicQuantizeLinear's value, scale, zero point).
  std::vector<std::string> multi_output_node(const std::string& op, const std::vector<std::string>& inputs,
                                             const std::string& hint, int outputs);

  // Adds an `op` node reading `inputs`; returns its (single) output's name, `hint` + a counter.
  std::string node(const std::string& op, const std::vector<std::string>& inputs, const std::string& hint,
                   const std::vector<Attribute>& attributes = {});

  // Gives `x` the graph-visible name `name` (an Identity node): for the graph's outputs.
  std::string output_as(const std::string& x, const std::string& name);

  // y = x W^T + b for a torch Linear weight (out, in) and bias (out): MatMul with W^T stored, then Add.
  std::string linear(const std::string& x, const std::string& prefix, const torch::Tensor& weight, const torch::Tensor& bias);
  std::string layer_norm(const std::string& x, const std::string& prefix, const torch::Tensor& weight,
                         const torch::Tensor& bias, double eps);

  // Declares a graph input / output of element type `type` (onnx::TensorProto::INT64, FLOAT) whose
  // dimensions are named (dim_param, "batch_size") where the string is non-empty, else fixed.
  void input(const std::string& name, int32_t type, const std::vector<std::pair<std::string, int64_t>>& dims);
  void output(const std::string& name, int32_t type, const std::vector<std::pair<std::string, int64_t>>& dims);

 private:
  // A node of `op` named `name` reading `inputs`; the caller adds its outputs (and attributes).
  onnx::NodeProto& add_node(const std::string& op, const std::vector<std::string>& inputs, const std::string& name);

  onnx::GraphProto& graph_;
  int64_t counter_ = 0;
  bool half_storage_ = false;
};

}  // namespace tpq::exporting
