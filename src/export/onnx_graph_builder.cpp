#include "export/onnx_graph_builder.h"

#include <torch/torch.h>

#include "tpq/core/error.h"

namespace tpq::exporting {

std::string OnnxGraphBuilder::initializer(const std::string& name, const torch::Tensor& tensor) {
  auto contiguous = tensor.detach().to(torch::kCPU).contiguous();
  auto* proto = graph_.add_initializer();
  proto->set_name(name);
  for (const auto size : contiguous.sizes()) proto->add_dims(size);
  if (contiguous.scalar_type() == torch::kLong) {
    proto->set_data_type(onnx::TensorProto::INT64);
  } else if (contiguous.scalar_type() == torch::kChar) {
    proto->set_data_type(onnx::TensorProto::INT8);
  } else if (contiguous.scalar_type() == torch::kByte) {
    proto->set_data_type(onnx::TensorProto::UINT8);
  } else if (contiguous.scalar_type() == torch::kHalf) {
    proto->set_data_type(onnx::TensorProto::FLOAT16);
  } else {
    contiguous = contiguous.to(torch::kFloat);
    proto->set_data_type(onnx::TensorProto::FLOAT);
  }
  // raw_data is little-endian, as x86-64 and ARM keep it in memory.
  proto->set_raw_data(contiguous.data_ptr(), contiguous.numel() * contiguous.element_size());
  return name;
}

std::string OnnxGraphBuilder::weight(const std::string& name, const torch::Tensor& tensor) {
  if (!half_storage_) return initializer(name, tensor);
  const auto stored = initializer(name + ".fp16", tensor.to(torch::kHalf));
  return node("Cast", {stored}, name + "_fp32", {int_attribute("to", onnx::TensorProto::FLOAT)});
}

std::string OnnxGraphBuilder::ints(const std::vector<int64_t>& values) {
  return initializer("const_ints_" + std::to_string(counter_++), torch::tensor(values, torch::kLong));
}

std::string OnnxGraphBuilder::int_scalar(int64_t value) {
  return initializer("const_int_" + std::to_string(counter_++), torch::tensor(value, torch::kLong));
}

std::string OnnxGraphBuilder::float_scalar(float value) {
  return initializer("const_float_" + std::to_string(counter_++), torch::tensor(value, torch::kFloat));
}

onnx::NodeProto& OnnxGraphBuilder::add_node(const std::string& op, const std::vector<std::string>& inputs,
                                            const std::string& name) {
  auto& proto = *graph_.add_node();
  proto.set_op_type(op);
  proto.set_name(name);
  for (const auto& input : inputs) proto.add_input(input);
  return proto;
}

std::string OnnxGraphBuilder::node(const std::string& op, const std::vector<std::string>& inputs, const std::string& hint,
                                   const std::vector<Attribute>& attributes) {
  const std::string output = hint + "_" + std::to_string(counter_++);
  auto& proto = add_node(op, inputs, output);
  proto.add_output(output);
  for (const auto& attribute : attributes) {
    auto* a = proto.add_attribute();
    a->set_name(attribute.name);
    switch (attribute.kind) {
      case Attribute::Kind::Int:
        a->set_type(onnx::AttributeProto::INT);
        a->set_i(attribute.i);
        break;
      case Attribute::Kind::Float:
        a->set_type(onnx::AttributeProto::FLOAT);
        a->set_f(attribute.f);
        break;
      case Attribute::Kind::Ints:
        a->set_type(onnx::AttributeProto::INTS);
        for (const auto value : attribute.ints) a->add_ints(value);
        break;
    }
  }
  return output;
}

std::vector<std::string> OnnxGraphBuilder::multi_output_node(const std::string& op, const std::vector<std::string>& inputs,
                                                             const std::string& hint, int outputs) {
  const std::string base = hint + "_" + std::to_string(counter_++);
  auto& proto = add_node(op, inputs, base);
  std::vector<std::string> names;
  for (int i = 0; i < outputs; ++i) {
    names.push_back(base + "_" + std::to_string(i));
    proto.add_output(names.back());
  }
  return names;
}

std::string OnnxGraphBuilder::output_as(const std::string& x, const std::string& name) {
  add_node("Identity", {x}, name).add_output(name);
  return name;
}

std::string OnnxGraphBuilder::linear(const std::string& x, const std::string& prefix, const torch::Tensor& weight,
                                     const torch::Tensor& bias) {
  require(weight.defined() && weight.dim() == 2, prefix + ": no dense weight to export");
  const auto product = node("MatMul", {x, this->weight(prefix + ".weight_t", weight.t())}, prefix + "_matmul");
  if (!bias.defined()) return product;
  return node("Add", {product, this->weight(prefix + ".bias", bias)}, prefix + "_out");
}

std::string OnnxGraphBuilder::layer_norm(const std::string& x, const std::string& prefix, const torch::Tensor& weight,
                                         const torch::Tensor& bias, double eps) {
  return node("LayerNormalization", {x, this->weight(prefix + ".weight", weight), this->weight(prefix + ".bias", bias)},
              prefix + "_out", {int_attribute("axis", -1), float_attribute("epsilon", static_cast<float>(eps))});
}

namespace {
void describe_value(onnx::ValueInfoProto& value, const std::string& name, int32_t type,
                    const std::vector<std::pair<std::string, int64_t>>& dims) {
  value.set_name(name);
  auto* tensor = value.mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(type);
  for (const auto& [param, size] : dims) {
    auto* dim = tensor->mutable_shape()->add_dim();
    if (param.empty()) {
      dim->set_dim_value(size);
    } else {
      dim->set_dim_param(param);
    }
  }
}
}  // namespace

void OnnxGraphBuilder::input(const std::string& name, int32_t type, const std::vector<std::pair<std::string, int64_t>>& dims) {
  describe_value(*graph_.add_input(), name, type, dims);
}

void OnnxGraphBuilder::output(const std::string& name, int32_t type, const std::vector<std::pair<std::string, int64_t>>& dims) {
  describe_value(*graph_.add_output(), name, type, dims);
}

}  // namespace tpq::exporting
