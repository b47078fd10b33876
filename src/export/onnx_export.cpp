#include "tpq/export/onnx_export.h"

#include <cmath>
#include <limits>

#include <torch/torch.h>

#include "export/onnx_graph_builder.h"
#include "tpq/build_info.h"
#include "tpq/checkpoint/checkpoint.h"
#include "tpq/core/error.h"
#include "tpq/io/atomic_file.h"
#include "tpq/quant/engine.h"
#include "tpq/quant/half_precision.h"
#include "tpq/quant/int8_linear.h"

namespace tpq::exporting {
namespace fs = std::filesystem;
using Builder = OnnxGraphBuilder;

namespace {

constexpr int64_t kMinimumOpset = 17;  // LayerNormalization
constexpr int64_t kMaximumOpset = 17;  // the newest Debian's ONNX 1.12 checker knows
const std::vector<std::pair<std::string, int64_t>> kTokenDims = {{"batch_size", 0}, {"sequence_length", 0}};

// y = x W^T + b as ONNX Runtime's dynamic INT8 pattern, which it fuses into one kernel: x quantized per
// tensor to uint8 over its range extended to include 0 (DynamicQuantizeLinear; tpq's kernel does
// the same), an int8 x int8 -> int32 MatMulInteger with the saved symmetric weights (zero point 0),
// then the two scales and the FP32 bias.
std::string dynamic_int8_linear(Builder& g, const std::string& x, const std::string& prefix, const quant::DynamicInt8Linear& kernel) {
  const auto& weight = kernel.weight();
  const auto quantized = g.multi_output_node("DynamicQuantizeLinear", {x}, prefix + "_quantize", 3);
  const auto weight_zero_points = g.initializer(prefix + ".weight_zero_point", torch::zeros({weight.values.size(0)}, torch::kChar));
  const auto product = g.node("MatMulInteger", {quantized[0], g.initializer(prefix + ".weight_int8_t", weight.values.t()),
                                                quantized[2], weight_zero_points},
                              prefix + "_matmul_int");
  const auto scales = g.node("Mul", {quantized[1], g.initializer(prefix + ".weight_scale", weight.scales.reshape({-1}))}, prefix + "_scale");
  const auto floats = g.node("Cast", {product}, prefix + "_float", {Builder::int_attribute("to", onnx::TensorProto::FLOAT)});
  const auto scaled = g.node("Mul", {floats, scales}, prefix + "_dequantized");
  if (!kernel.bias().defined()) return scaled;
  return g.node("Add", {scaled, g.initializer(prefix + ".bias", kernel.bias())}, prefix + "_out");
}

// A tensor put on a calibrated uint8 grid and back (QuantizeLinear + DequantizeLinear).
std::string on_uint8_grid(Builder& g, const std::string& x, const quant::ActivationQuant& quant, const std::string& prefix) {
  const auto scale = g.float_scalar(static_cast<float>(quant.scale));
  const auto zero_point = g.initializer(prefix + "_zero_point", torch::tensor(static_cast<uint8_t>(quant.zero_point), torch::kByte));
  return g.node("DequantizeLinear", {g.node("QuantizeLinear", {x, scale, zero_point}, prefix + "_q"), scale, zero_point}, prefix + "_dq");
}

// y = x W^T + b as QDQ, the form ONNX Runtime turns into integer kernels: x on the calibrated input
// grid, the saved int8 weights dequantized (per output channel or per tensor), MatMul + bias, and
// the result on the calibrated output grid, as tpq's static kernel requantizes it.
std::string static_int8_linear(Builder& g, const std::string& x, const std::string& prefix, const quant::StaticInt8Linear& kernel) {
  const auto& weight = kernel.weight();
  const bool per_channel = weight.scales.numel() > 1;
  const auto scales = g.initializer(prefix + ".weight_scale", per_channel ? weight.scales.reshape({-1}) : weight.scales.reshape({}));
  const auto zero_points = g.initializer(prefix + ".weight_zero_point", per_channel ? torch::zeros({weight.scales.numel()}, torch::kChar)
                                                                                    : torch::zeros({}, torch::kChar));
  const auto weights = g.node("DequantizeLinear", {g.initializer(prefix + ".weight_int8_t", weight.values.t()), scales, zero_points},
                              prefix + "_weight", {Builder::int_attribute("axis", 1)});
  auto y = g.node("MatMul", {on_uint8_grid(g, x, kernel.input_quant(), prefix + "_input"), weights}, prefix + "_matmul");
  if (kernel.bias().defined()) y = g.node("Add", {y, g.initializer(prefix + ".bias", kernel.bias())}, prefix + "_biased");
  return on_uint8_grid(g, y, kernel.output_quant(), prefix + "_output");
}

// A Linear of the model: FP32 (its weight), dynamic or static INT8; any other kernel is refused by name.
std::string emit_linear(Builder& g, const std::string& x, const std::string& prefix, model::LinearImpl& linear) {
  if (!linear.kernel) return g.linear(x, prefix, linear.weight, linear.bias);
  if (const auto* int8 = dynamic_cast<const quant::DynamicInt8Linear*>(linear.kernel.get())) {
    return dynamic_int8_linear(g, x, prefix, *int8);
  }
  if (const auto* int8 = dynamic_cast<const quant::StaticInt8Linear*>(linear.kernel.get())) {
    return static_int8_linear(g, x, prefix, *int8);
  }
  const auto* half = dynamic_cast<const quant::HalfLinear*>(linear.kernel.get());
  if (half && half->dtype() == torch::kHalf) {  // FP16 weights (the graph stores them as FP16, see build_model)
    torch::Tensor weight, bias;
    for (const auto& [name, tensor] : half->export_tensors(prefix)) {
      (name == prefix + ".weight" ? weight : bias) = tensor.to(torch::kFloat);
    }
    return g.linear(x, prefix, weight, bias);
  }
  throw UserError(prefix + " runs a " + linear.kernel->describe() +
                  " kernel; ONNX export covers FP32 (dense, pruned, sparse), FP16 and INT8 (dynamic, static, QAT) models so far: "
                  "export the FP32 model it was made from, or an INT8 version of it");
}

// token_type_ids is an input where the model has more than one token type (BERT), as in HF's ONNX
// exports; RoBERTa's single type is a constant row.
bool takes_token_types(const model::EncoderClassifierImpl& model) {
  return model.family().token_type_embeddings && model.config.type_vocab_size > 1;
}

// (B, T) input ids -> (B, T, H): word + position (+ token type) embeddings, then LayerNorm.
std::string embed(Builder& g, model::EncoderClassifierImpl& model) {
  auto& e = *model.embeddings;
  const auto& family = model.family();
  auto sum = g.node("Gather", {g.weight("embeddings.word", e.word_embeddings->weight), "input_ids"}, "word");
  std::string positions;
  if (family.positions == model::PositionIds::AfterPadding) {
    // RoBERTa: pad + running count of non-pad tokens for tokens, pad itself for pads.
    const auto pad = g.int_scalar(e.pad_token_id);
    const auto is_token = g.node("Cast", {g.node("Not", {g.node("Equal", {"input_ids", pad}, "is_pad")}, "not_pad")},
                                 "is_token", {Builder::int_attribute("to", onnx::TensorProto::INT64)});
    const auto count = g.node("CumSum", {is_token, g.int_scalar(1)}, "token_count");
    positions = g.node("Add", {g.node("Mul", {count, is_token}, "counted"), pad}, "position_ids");
  } else {
    const auto length = g.node("Gather", {g.node("Shape", {"input_ids"}, "shape"), g.int_scalar(1)}, "sequence_length");
    positions = g.node("Range", {g.int_scalar(0), length, g.int_scalar(1)}, "position_ids");
  }
  sum = g.node("Add", {sum, g.node("Gather", {g.weight("embeddings.position", e.position_embeddings->weight), positions}, "position")},
               "embedded");
  if (!e.token_type_embeddings.is_empty()) {
    const auto& table = e.token_type_embeddings->weight;
    const auto token_types = takes_token_types(model)
                                 ? g.node("Gather", {g.weight("embeddings.token_type", table), "token_type_ids"}, "token_type")
                                 : g.weight("embeddings.token_type_0", table[0]);
    sum = g.node("Add", {sum, token_types}, "embedded");
  }
  return g.layer_norm(sum, "embeddings.LayerNorm", e.LayerNorm->weight, e.LayerNorm->bias, e.LayerNorm->options.eps());
}

// attention_mask (B, T) -> (B, 1, 1, T): 0 for tokens, float's lowest for padding, as tpq and HF add it.
std::string additive_mask(Builder& g) {
  const auto mask = g.node("Cast", {"attention_mask"}, "mask_float", {Builder::int_attribute("to", onnx::TensorProto::FLOAT)});
  const auto inverted = g.node("Sub", {g.float_scalar(1.0f), mask}, "mask_inverted");
  const auto additive = g.node("Mul", {inverted, g.float_scalar(std::numeric_limits<float>::lowest())}, "mask_additive");
  return g.node("Unsqueeze", {additive, g.ints({1, 2})}, "mask");
}

// (B, T, heads * d) -> (B, heads, T, d), or with `keys` (B, heads, d, T).
std::string split_heads(Builder& g, const std::string& x, int64_t heads, int64_t head_dim, bool keys, const std::string& hint) {
  const auto shaped = g.node("Reshape", {x, g.ints({0, 0, heads, head_dim})}, hint + "_heads");
  return g.node("Transpose", {shaped}, hint + "_t",
                {Builder::ints_attribute("perm", keys ? std::vector<int64_t>{0, 2, 3, 1} : std::vector<int64_t>{0, 2, 1, 3})});
}

std::string attention(Builder& g, model::EncoderLayerImpl& layer, const std::string& x, const std::string& mask,
                      const std::string& prefix) {
  const int64_t heads = layer.num_heads, d = layer.head_dim;
  const auto q = split_heads(g, emit_linear(g, x, prefix + "query", *layer.query), heads, d, false, prefix + "q");
  const auto k = split_heads(g, emit_linear(g, x, prefix + "key", *layer.key), heads, d, true, prefix + "k");
  const auto v = split_heads(g, emit_linear(g, x, prefix + "value", *layer.value), heads, d, false, prefix + "v");
  const auto scaled = g.node("Div", {q, g.float_scalar(static_cast<float>(std::sqrt(static_cast<double>(d))))}, prefix + "q_scaled");
  const auto scores = g.node("Add", {g.node("MatMul", {scaled, k}, prefix + "scores"), mask}, prefix + "masked");
  const auto probs = g.node("Softmax", {scores}, prefix + "probs", {Builder::int_attribute("axis", -1)});
  const auto context = g.node("Transpose", {g.node("MatMul", {probs, v}, prefix + "context")}, prefix + "context_t",
                              {Builder::ints_attribute("perm", {0, 2, 1, 3})});
  return g.node("Reshape", {context, g.ints({0, 0, heads * d})}, prefix + "context_merged");
}

std::string activation(Builder& g, const std::string& x, const std::string& kind, const std::string& prefix) {
  if (kind == "relu") return g.node("Relu", {x}, prefix + "relu");
  std::string inner;
  if (kind == "gelu_new" || kind == "gelu_pytorch_tanh") {  // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    const auto cube = g.node("Mul", {g.node("Mul", {x, x}, prefix + "x2"), x}, prefix + "x3");
    const auto sum = g.node("Add", {x, g.node("Mul", {cube, g.float_scalar(0.044715f)}, prefix + "cx3")}, prefix + "poly");
    inner = g.node("Tanh", {g.node("Mul", {sum, g.float_scalar(static_cast<float>(std::sqrt(2.0 / M_PI)))}, prefix + "arg")}, prefix + "tanh");
  } else {  // "gelu": the exact erf form, 0.5 x (1 + erf(x / sqrt(2)))
    inner = g.node("Erf", {g.node("Div", {x, g.float_scalar(static_cast<float>(std::sqrt(2.0)))}, prefix + "scaled")}, prefix + "erf");
  }
  const auto one_plus = g.node("Add", {inner, g.float_scalar(1.0f)}, prefix + "one_plus");
  return g.node("Mul", {g.node("Mul", {x, one_plus}, prefix + "x_gate"), g.float_scalar(0.5f)}, prefix + "gelu");
}

std::string encoder_layer(Builder& g, model::EncoderLayerImpl& layer, const std::string& x, const std::string& mask,
                          const std::string& prefix) {
  const auto attended = emit_linear(g, attention(g, layer, x, mask, prefix), prefix + "attention_output", *layer.attention_output);
  const auto& an = layer.attention_norm;
  const auto x1 = g.layer_norm(g.node("Add", {attended, x}, prefix + "residual1"), prefix + "attention_norm", an->weight,
                               an->bias, an->options.eps());
  const auto hidden = activation(g, emit_linear(g, x1, prefix + "ffn_in", *layer.ffn_in), layer.activation, prefix);
  const auto out = emit_linear(g, hidden, prefix + "ffn_out", *layer.ffn_out);
  const auto& on = layer.output_norm;
  return g.layer_norm(g.node("Add", {out, x1}, prefix + "residual2"), prefix + "output_norm", on->weight, on->bias, on->options.eps());
}

// The first token's state -> logits, by the family's head.
std::string classifier_head(Builder& g, model::EncoderClassifierImpl& model, const std::string& hidden) {
  const auto first = g.node("Gather", {hidden, g.int_scalar(0)}, "first_token", {Builder::int_attribute("axis", 1)});
  const auto dense = emit_linear(g, first, "head_dense", *model.head_dense);
  const bool relu = model.family().head == model::ClassifierHead::PreClassifierRelu;
  const auto pooled = g.node(relu ? "Relu" : "Tanh", {dense}, "pooled");
  return emit_linear(g, pooled, "classifier", *model.classifier);
}

// Fraction of zeros over the encoder Linear weights: how sparse an unstructured-pruned model is.
double encoder_zero_fraction(model::EncoderClassifierImpl& model) {
  int64_t zeros = 0, total = 0;
  for (auto& layer : model.layers) {
    for (auto* linear : {&layer->query, &layer->key, &layer->value, &layer->attention_output, &layer->ffn_in, &layer->ffn_out}) {
      const auto& weight = (*linear)->weight;
      if (!weight.defined()) continue;  // an INT8 kernel holds it
      zeros += weight.eq(0).sum().item<int64_t>();
      total += weight.numel();
    }
  }
  return total > 0 ? static_cast<double>(zeros) / static_cast<double>(total) : 0.0;
}

// "", " int8_dynamic", " int8_static" or " fp16": what the first layer's query runs (quantization
// and half precision convert every encoder Linear).
std::string kernel_kind(model::EncoderClassifierImpl& model) {
  const auto* kernel = model.layers.empty() ? nullptr : model.layers.front()->query->kernel.get();
  if (dynamic_cast<const quant::DynamicInt8Linear*>(kernel)) return " int8_dynamic";
  if (dynamic_cast<const quant::StaticInt8Linear*>(kernel)) return " int8_static";
  const auto* half = dynamic_cast<const quant::HalfLinear*>(kernel);
  if (half && half->dtype() == torch::kHalf) return " fp16";
  return "";
}

bool is_structurally_pruned(const model::EncoderClassifierImpl& model) {
  const auto& config = model.config;
  for (int64_t i = 0; i < config.num_hidden_layers; ++i) {
    if (config.heads_in_layer(i) < config.num_attention_heads || config.intermediate_size_of_layer(i) < config.intermediate_size) return true;
  }
  return false;
}

// half_storage: an FP16 model (05), whose every float weight is kept in FP16 and computed with in
// FP32, as tpq does on a CPU without FP16 GEMMs: its values exactly, in a file half the size.
onnx::ModelProto build_model(model::EncoderClassifierImpl& model, const OnnxExportOptions& options, bool half_storage) {
  onnx::ModelProto proto;
  proto.set_ir_version(8);  // the IR version of opset 17's release (ONNX 1.12)
  proto.set_producer_name("tpq");
  proto.set_producer_version(TPQ_VERSION_STRING);
  auto* opset = proto.add_opset_import();
  opset->set_domain("");
  opset->set_version(options.opset);
  auto& graph = *proto.mutable_graph();
  graph.set_name(model.family().architecture);
  Builder g(graph);
  g.set_half_storage(half_storage);
  g.input("input_ids", onnx::TensorProto::INT64, kTokenDims);
  g.input("attention_mask", onnx::TensorProto::INT64, kTokenDims);
  if (takes_token_types(model)) g.input("token_type_ids", onnx::TensorProto::INT64, kTokenDims);
  torch::NoGradGuard no_grad;
  auto hidden = embed(g, model);
  const auto mask = additive_mask(g);
  for (std::size_t i = 0; i < model.layers.size(); ++i) {
    hidden = encoder_layer(g, *model.layers[i], hidden, mask, "layer" + std::to_string(i) + ".");
  }
  g.output_as(classifier_head(g, model, hidden), "logits");
  g.output("logits", onnx::TensorProto::FLOAT, {{"batch_size", 0}, {"", model.config.num_labels()}});
  return proto;
}

// config.json and the tokenizer's files, so the folder serves ONNX Runtime plus a tokenizer.
std::vector<std::string> copy_model_files(const fs::path& model_dir, const fs::path& destination) {
  static const char* const kFiles[] = {"config.json",  "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                                       "vocab.txt",    "vocab.json",     "merges.txt",            "sentencepiece.model",
                                       "added_tokens.json"};
  std::vector<std::string> copied;
  for (const char* name : kFiles) {
    if (!fs::is_regular_file(model_dir / name)) continue;
    if (fs::exists(destination / name) && fs::equivalent(model_dir / name, destination / name)) continue;
    io::write_file_atomic(destination / name, io::read_file(model_dir / name));
    copied.push_back(name);
  }
  return copied;
}

}  // namespace

OnnxExportResult export_onnx(const fs::path& model_dir, const fs::path& output, const OnnxExportOptions& options) {
  require(options.opset >= kMinimumOpset, "--opset " + std::to_string(options.opset) +
                                              ": tpq's ONNX graphs use LayerNormalization, an ONNX op since opset 17; give --opset 17 or higher");
  require(options.opset <= kMaximumOpset,
          "--opset " + std::to_string(options.opset) + ": this build's ONNX (1.12) knows opsets up to 17; give --opset 17");
  require(output.extension() == ".onnx", "--output " + output.string() + ": give a file name ending in .onnx (e.g. model.onnx)");
  quant::select_engine("auto");  // an INT8 checkpoint packs its weights for the engine as it loads
  checkpoint::LoadOptions load;
  load.load_tokenizer = false;
  auto checkpoint = checkpoint::load_checkpoint(model_dir, load);
  auto& model = *checkpoint.model;
  model.eval();

  OnnxExportResult result;
  result.zero_fraction = encoder_zero_fraction(model);
  result.kind = is_structurally_pruned(model) ? "pruned" : result.zero_fraction > 0.05 ? "sparse" : "dense";
  const std::string kernels = kernel_kind(model);
  result.kind += kernels;
  const auto proto = build_model(model, options, kernels == " fp16");
  try {
    onnx::checker::check_model(proto);
  } catch (const std::exception& error) {
    throw std::runtime_error(std::string("the ONNX checker rejected the exported graph (a tpq bug; please report it): ") + error.what());
  }
  std::string bytes;
  require(proto.ByteSizeLong() < (size_t{1} << 31) && proto.SerializeToString(&bytes),
          model_dir.string() + ": the model is over 2 GB, past what one ONNX protobuf file holds");
  const fs::path destination = output.has_parent_path() ? output.parent_path() : fs::path(".");
  std::error_code error;
  fs::create_directories(destination, error);
  require(!error && fs::is_directory(destination),
          "--output " + output.string() + ": cannot create the directory " + destination.string() + " (" + error.message() + ")");
  require(!fs::is_directory(output), "--output " + output.string() + " is a directory: give the .onnx file's path");
  io::write_file_atomic(output, bytes);
  result.file = output;
  result.bytes = bytes.size();
  for (const auto& input : proto.graph().input()) result.inputs.push_back(input.name());
  result.copied_files = copy_model_files(model_dir, destination);
  return result;
}

}  // namespace tpq::exporting
