#include "tpq/quant/int8_linear.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <stdexcept>

#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/torch.h>

#include "tpq/core/error.h"
#include "tpq/kernels/kernel_info.h"
#include "tpq/quant/engine.h"

namespace tpq::quant {
namespace {

// (..., in) -> (rows, in) contiguous float, and back to (..., out).
torch::Tensor flatten_rows(const torch::Tensor& input) {
  return input.reshape({-1, input.size(-1)}).to(torch::kFloat).contiguous();
}

torch::Tensor unflatten_rows(const torch::Tensor& output, const torch::Tensor& input) {
  auto sizes = input.sizes().vec();
  sizes.back() = output.size(-1);
  return output.view(sizes);
}

std::vector<std::pair<std::string, torch::Tensor>> weight_tensors(const std::string& prefix, const Int8Weight& weight,
                                                                 const torch::Tensor& bias) {
  return {{prefix + ".weight", weight.values}, {prefix + ".weight_scale", weight.scales}, {prefix + ".bias", bias}};
}


// oneDNN (LibTorch 1.13) keeps one prepared INT8 matmul per packed weight, bound to the input
// shape of its *first* call; any other row count takes a slow path that JIT-compiles a primitive
// and reorders the weight on every call (~0.5-1 ms per Linear). A large batch amortises that, but
// batch-1 inference on real, variable-length reviews ran 8x slower than FP32. So small inputs
// (<= kSmallRows rows: one sequence) are padded to one fixed block shape, and the first call binds
// the prepared primitive to that shape. TPQ_INT8_ROW_BLOCK overrides kSmallRows (0: off).
constexpr int64_t kSmallRows = 128;

int64_t small_rows_for_engine() {
  if (current_engine() != "onednn") return 0;
  if (const char* text = std::getenv("TPQ_INT8_ROW_BLOCK")) {
    char* end = nullptr;
    const long value = std::strtol(text, &end, 10);
    if (end != text && *end == '\0' && value >= 0) return value;
  }
  return kSmallRows;
}

// v rounded away from zero to 16 steps per power of two (at most 1/16 wider).
float round_outward(float value) {
  if (value == 0 || !std::isfinite(value)) return value;
  const float step = std::ldexp(1.0f, std::ilogb(value) - 4);
  return value > 0 ? std::ceil(value / step) * step : std::floor(value / step) * step;
}

// Runs `apply` on rows [M, K]. Inputs of at most `small_rows` rows are copied into a zero block of
// small_rows + 1 rows whose last row is the range row: for a dynamic kernel (which picks its scale
// from the rows it sees) it holds the input's min and max rounded outward to a coarse grid, so the
// scale is the input's own (within 1/16) and takes few distinct values, letting oneDNN reuse its
// quantization reorders too. Static kernels (fixed scales) leave it zero. Zero rows never widen
// a range (quantization ranges always include 0).
torch::Tensor apply_padded_if_small(const torch::Tensor& rows, int64_t small_rows, bool dynamic_range,
                                    const std::function<torch::Tensor(const torch::Tensor&)>& apply) {
  const int64_t m = rows.size(0);
  const int64_t k = rows.size(1);
  if (small_rows <= 0 || m > small_rows || k < 2) return apply(rows);
  auto block = torch::zeros({small_rows + 1, k}, rows.options());
  block.narrow(0, 0, m).copy_(rows);
  if (dynamic_range && m > 0) {
    const auto [low, high] = torch::aminmax(rows);
    block[small_rows][0] = round_outward(std::min(low.item<float>(), 0.0f));
    block[small_rows][1] = round_outward(std::max(high.item<float>(), 0.0f));
  }
  return apply(block).narrow(0, 0, m).clone();
}

std::shared_ptr<kernels::Int8Matmul> direct_matmul_if_chosen(const Int8Weight& weight, const torch::Tensor& bias) {
  // tpq's own oneDNN matmul where the engine is onednn, else LibTorch's quantized::linear (kernel_info.h).
  if (kernels::int8_kernel_choice() != "direct") return nullptr;
  return std::make_shared<kernels::Int8Matmul>(weight.values, weight.scales, bias);
}

c10::intrusive_ptr<LinearPackedParamsBase> engine_pack_unless(bool direct, const Int8Weight& weight, const torch::Tensor& bias) {
  return direct ? c10::intrusive_ptr<LinearPackedParamsBase>() : prepack_linear(weight, bias);
}

// The output put on the calibrated output grid in place: fake_quantize_per_tensor_affine's
// arithmetic, clamp(nearbyint(y * (1/s)) + zp, 0, 255) - zp) * s. That op would allocate a copy
// and a mask; bert-base spends ~0.4 s a forward on that.
void round_onto_grid(torch::Tensor& output, const ActivationQuant& grid) {
  const float inverse_scale = 1.0f / static_cast<float>(grid.scale);
  output.mul_(inverse_scale).round_().clamp_(-grid.zero_point, 255 - grid.zero_point).mul_(static_cast<float>(grid.scale));
}

}  // namespace

std::string to_string(Granularity granularity) {
  return granularity == Granularity::PerTensor ? "per_tensor" : "per_channel";
}

Granularity parse_granularity(const std::string& text) {
  if (text == "per_tensor") return Granularity::PerTensor;
  if (text == "per_channel") return Granularity::PerChannel;
  throw UserError("granularity '" + text + "': use per_tensor or per_channel");
}

int64_t weight_bits_max_level(int64_t bits) {
  require(bits >= 2 && bits <= 8, "quantization.weight_bits (--weight_bits) must lie in [2, 8]; got " + std::to_string(bits));
  return (int64_t{1} << (bits - 1)) - 1;
}

torch::Tensor Int8Weight::symmetric_scales(const torch::Tensor& weight, Granularity granularity, int64_t max_level) {
  require(max_level >= 1 && max_level <= 127, "int8 weight max level must lie in [1, 127]");
  const auto w = weight.detach();
  const auto max_abs = granularity == Granularity::PerTensor ? w.abs().max().reshape({1}) : std::get<0>(w.abs().max(1));
  // A row of zeros (e.g. a pruned neuron) still needs a valid, positive scale.
  return (max_abs / static_cast<double>(max_level)).clamp_min(1e-12).to(torch::kFloat);
}

Int8Weight Int8Weight::quantize(const torch::Tensor& weight, Granularity granularity, int64_t max_level) {
  torch::NoGradGuard no_grad;
  const auto w = weight.detach().to(torch::kCPU, torch::kFloat);
  Int8Weight result;
  result.granularity = granularity;
  result.scales = symmetric_scales(w, granularity, max_level);
  const auto broadcast = granularity == Granularity::PerTensor ? result.scales : result.scales.unsqueeze(1);
  result.values = torch::clamp(torch::round(w / broadcast), -max_level, max_level).to(torch::kChar);
  return result;
}

at::Tensor Int8Weight::to_quantized() const {
  if (granularity == Granularity::PerTensor) {
    return at::_make_per_tensor_quantized_tensor(values, scales.item<double>(), 0);
  }
  const auto zero_points = torch::zeros({scales.size(0)}, torch::kLong);
  return at::_make_per_channel_quantized_tensor(values, scales.to(torch::kDouble), zero_points, 0);
}

torch::Tensor Int8Weight::dequantize() const {
  const auto broadcast = granularity == Granularity::PerTensor ? scales : scales.unsqueeze(1);
  return values.to(torch::kFloat) * broadcast;
}

ActivationQuant ActivationQuant::from_range(double min_value, double max_value) {
  const auto grid = kernels::U8Grid::covering(min_value, max_value);
  ActivationQuant quant;
  quant.scale = grid.scale;
  quant.zero_point = grid.zero_point;
  return quant;
}

c10::intrusive_ptr<LinearPackedParamsBase> prepack_linear(const Int8Weight& weight, const torch::Tensor& bias) {
  static auto prepack = c10::Dispatcher::singleton()
                            .findSchemaOrThrow("quantized::linear_prepack", "")
                            .typed<c10::intrusive_ptr<LinearPackedParamsBase>(at::Tensor, c10::optional<at::Tensor>)>();
  return prepack.call(weight.to_quantized(), bias.defined() ? c10::optional<at::Tensor>(bias.to(torch::kFloat)) : c10::nullopt);
}

DynamicInt8Linear::DynamicInt8Linear(Int8Weight weight, torch::Tensor bias)
    : weight_(std::move(weight)), bias_(std::move(bias)), direct_(direct_matmul_if_chosen(weight_, bias_)),
      packed_(engine_pack_unless(direct_ != nullptr, weight_, bias_)), small_rows_(small_rows_for_engine()) {}

kernels::QuantizedRows DynamicInt8Linear::quantize_input(const torch::Tensor& input) const {
  if (!direct_) throw std::logic_error("DynamicInt8Linear::quantize_input needs the direct kernel");
  const auto rows = flatten_rows(input);
  const auto grid = kernels::dynamic_grid(rows);
  return {quantizer_.quantize(rows, grid), grid};
}

torch::Tensor DynamicInt8Linear::forward_quantized(const kernels::QuantizedRows& rows, const torch::Tensor& input) const {
  return unflatten_rows(direct_->forward(rows.values, rows.grid), input);
}

torch::Tensor DynamicInt8Linear::forward_activated(const torch::Tensor& input, kernels::Activation activation) const {
  if (!direct_) return kernels::apply_activation(forward(input), activation);
  const auto rows = quantize_input(input);
  return unflatten_rows(direct_->forward(rows.values, rows.grid, activation), input);
}

torch::Tensor DynamicInt8Linear::forward(const torch::Tensor& input) const {
  if (direct_) return forward_activated(input, kernels::Activation::None);
  auto apply = [&](const torch::Tensor& rows) { return packed_->apply_dynamic(rows, /*reduce_range=*/false); };
  // The first call binds oneDNN's prepared primitive to the small-block shape.
  std::call_once(*bound_, [&] { if (small_rows_ > 0) apply(torch::zeros({small_rows_ + 1, weight_.values.size(1)})); });
  return unflatten_rows(apply_padded_if_small(flatten_rows(input), small_rows_, /*dynamic_range=*/true, apply), input);
}

std::vector<std::pair<std::string, torch::Tensor>> DynamicInt8Linear::export_tensors(const std::string& prefix) const {
  return weight_tensors(prefix, weight_, bias_);
}

std::string DynamicInt8Linear::describe() const {
  return "int8 dynamic (" + to_string(weight_.granularity) + (direct_ ? ", oneDNN matmul" : "") + ")";
}

StaticInt8Linear::StaticInt8Linear(Int8Weight weight, torch::Tensor bias, ActivationQuant input, ActivationQuant output)
    : weight_(std::move(weight)), bias_(std::move(bias)), input_(input), output_(output),
      direct_(direct_matmul_if_chosen(weight_, bias_)), packed_(engine_pack_unless(direct_ != nullptr, weight_, bias_)),
      small_rows_(small_rows_for_engine()) {}

torch::Tensor StaticInt8Linear::forward(const torch::Tensor& input) const {
  const auto rows = flatten_rows(input);
  if (direct_) {
    // Quantizing saturates at 0 and 255: inputs beyond the calibrated range are clamped to it.
    const kernels::U8Grid grid{static_cast<float>(input_.scale), static_cast<int32_t>(input_.zero_point)};
    auto output = direct_->forward(quantizer_.quantize(rows, grid), grid);
    round_onto_grid(output, output_);
    return unflatten_rows(output, input);
  }
  const int64_t m = rows.size(0);
  const int64_t k = rows.size(1);
  if (small_rows_ <= 0 || k < 2) {
    // The textbook path: quantize with the calibrated scale, INT8 GEMM with a requantized uint8
    // output, dequantize. Without fbgemm, LibTorch 1.13 quantizes and dequantizes in scalar,
    // single-threaded loops (bert-base batch 32: ~1.7 s of a 2.9 s forward).
    const auto quantized_input = at::quantize_per_tensor(rows, input_.scale, input_.zero_point, at::kQUInt8);
    return unflatten_rows(packed_->apply(quantized_input, output_.scale, output_.zero_point).dequantize(), input);
  }
  // The same arithmetic on oneDNN's fused path: inputs clamped to the calibrated range plus one
  // range row holding exactly that range's ends, so the kernel's own quantization step picks the
  // calibrated scale and zero point; INT8 GEMM with int32 accumulation; then the output is put on
  // the calibrated output grid in place.
  const float low = static_cast<float>(-static_cast<double>(input_.zero_point) * input_.scale);
  const float high = static_cast<float>(static_cast<double>(255 - input_.zero_point) * input_.scale);
  const int64_t block = m <= small_rows_ ? small_rows_ : m;  // small inputs keep the prepared shape
  auto buffer = torch::empty({block + 1, k}, rows.options());
  auto inputs = buffer.narrow(0, 0, m);
  torch::clamp_out(inputs, rows, low, high);
  buffer.narrow(0, m, block + 1 - m).zero_();  // padding rows (zeros sit on the grid) and the range row
  buffer[block][0] = low;
  buffer[block][1] = high;
  std::call_once(*bound_, [&] { packed_->apply_dynamic(torch::zeros({small_rows_ + 1, k}), /*reduce_range=*/false); });
  auto output = packed_->apply_dynamic(buffer, /*reduce_range=*/false).narrow(0, 0, m);
  round_onto_grid(output, output_);
  return unflatten_rows(output, input);
}

std::vector<std::pair<std::string, torch::Tensor>> StaticInt8Linear::export_tensors(const std::string& prefix) const {
  auto tensors = weight_tensors(prefix, weight_, bias_);
  tensors.emplace_back(prefix + ".input_scale", torch::tensor({input_.scale}, torch::kFloat));
  tensors.emplace_back(prefix + ".input_zero_point", torch::tensor({input_.zero_point}, torch::kInt));
  tensors.emplace_back(prefix + ".output_scale", torch::tensor({output_.scale}, torch::kFloat));
  tensors.emplace_back(prefix + ".output_zero_point", torch::tensor({output_.zero_point}, torch::kInt));
  return tensors;
}

std::string StaticInt8Linear::describe() const {
  return "int8 static (" + to_string(weight_.granularity) + (direct_ ? ", oneDNN matmul" : "") + ")";
}

}  // namespace tpq::quant
