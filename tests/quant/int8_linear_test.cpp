// INT8 kernels: quantization error bounds, agreement with FP32, and static (calibrated) INT8.
#include <cstdlib>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/dead_linear.h"
#include "tpq/core/error.h"
#include "tpq/quant/engine.h"
#include "tpq/quant/int8_linear.h"

namespace {

using tpq::quant::Granularity;
using tpq::quant::Int8Weight;

class Int8Linear : public ::testing::Test {
 protected:
  void SetUp() override {
    tpq::quant::select_engine("auto");
    torch::manual_seed(0);
  }
};

using tpq::testing::relative_error;

TEST_F(Int8Linear, QuantizationErrorIsAtMostHalfAStep) {
  const auto weight = torch::randn({16, 32});
  for (auto granularity : {Granularity::PerTensor, Granularity::PerChannel}) {
    const auto quantized = Int8Weight::quantize(weight, granularity);
    EXPECT_EQ(quantized.values.scalar_type(), torch::kChar);
    const auto step = granularity == Granularity::PerTensor ? quantized.scales : quantized.scales.unsqueeze(1);
    const auto error = (quantized.dequantize() - weight).abs();
    EXPECT_TRUE((error <= step / 2 + 1e-7).all().item<bool>());
    EXPECT_LE(quantized.values.abs().max().item<int>(), 127);
  }
}

TEST_F(Int8Linear, FewerWeightBitsUseFewerLevelsInTheSameInt8Storage) {
  EXPECT_EQ(tpq::quant::weight_bits_max_level(8), 127);
  EXPECT_EQ(tpq::quant::weight_bits_max_level(4), 7);
  EXPECT_THROW(tpq::quant::weight_bits_max_level(1), tpq::UserError);
  EXPECT_THROW(tpq::quant::weight_bits_max_level(9), tpq::UserError);
  const auto weight = torch::randn({16, 32});
  const auto four_bit = Int8Weight::quantize(weight, Granularity::PerChannel, 7);
  EXPECT_EQ(four_bit.values.scalar_type(), torch::kChar);
  // Every row reaches its extreme level 7 and no value goes past it.
  EXPECT_TRUE(std::get<0>(four_bit.values.abs().max(1)).eq(7).all().item<bool>());
  const auto error = (four_bit.dequantize() - weight).abs();
  EXPECT_TRUE((error <= four_bit.scales.unsqueeze(1) / 2 + 1e-7).all().item<bool>());
  // A coarser grid: the mean error grows about as 127/7.
  const auto int8_error = (Int8Weight::quantize(weight, Granularity::PerChannel).dequantize() - weight).abs().mean().item<double>();
  EXPECT_GT(error.mean().item<double>(), 10 * int8_error);
}

TEST_F(Int8Linear, PerChannelBeatsPerTensorWhenRowsDifferInScale) {
  auto weight = torch::randn({8, 64});
  weight[0] *= 50;  // one large row forces a coarse per-tensor scale on every row
  const auto per_tensor = (Int8Weight::quantize(weight, Granularity::PerTensor).dequantize() - weight).abs().mean();
  const auto per_channel = (Int8Weight::quantize(weight, Granularity::PerChannel).dequantize() - weight).abs().mean();
  EXPECT_LT(per_channel.item<double>(), 0.5 * per_tensor.item<double>());
}

TEST_F(Int8Linear, ZeroRowsGetAValidScale) {
  auto weight = torch::randn({4, 8});
  weight[2].zero_();
  const auto quantized = Int8Weight::quantize(weight, Granularity::PerChannel);
  EXPECT_TRUE((quantized.scales > 0).all().item<bool>());
  EXPECT_TRUE(quantized.dequantize()[2].eq(0).all().item<bool>());
}

TEST_F(Int8Linear, DynamicKernelAgreesWithFp32) {
  const auto weight = torch::randn({48, 64}) * 0.05;
  const auto bias = torch::randn({48}) * 0.1;
  const auto input = torch::randn({3, 5, 64});  // (..., in) keeps its leading shape
  const auto reference = torch::nn::functional::linear(input, weight, bias);
  for (auto granularity : {Granularity::PerTensor, Granularity::PerChannel}) {
    tpq::quant::DynamicInt8Linear kernel(Int8Weight::quantize(weight, granularity), bias);
    const auto output = kernel.forward(input);
    EXPECT_EQ(output.sizes(), reference.sizes());
    EXPECT_LT(relative_error(output, reference), 0.03) << tpq::quant::to_string(granularity);
  }
}

// Kernels on LibTorch's engine path (TPQ_INT8_KERNEL=engine), built while TPQ_INT8_ROW_BLOCK has
// a value (both read at construction): the row blocks belong to that path.
template <typename Make>
auto with_row_block(const char* value, Make make) {
  setenv("TPQ_INT8_ROW_BLOCK", value, 1);
  setenv("TPQ_INT8_KERNEL", "engine", 1);
  auto kernel = make();
  unsetenv("TPQ_INT8_ROW_BLOCK");
  unsetenv("TPQ_INT8_KERNEL");
  return kernel;
}

TEST_F(Int8Linear, RowBlocksComputeWhatOneCallComputes) {
  // Small inputs run padded to one block whose range row holds the input's range rounded outward
  // by at most 1/16: the error stays that of one call; large inputs run as they are.
  const auto weight = torch::randn({24, 40}) * 0.05;
  const auto bias = torch::randn({24}) * 0.1;
  const auto quantized = Int8Weight::quantize(weight, Granularity::PerChannel);
  const auto whole = with_row_block("0", [&] { return tpq::quant::DynamicInt8Linear(quantized, bias); });
  const auto blocked = with_row_block("16", [&] { return tpq::quant::DynamicInt8Linear(quantized, bias); });
  for (int64_t rows : {1, 7, 15, 16, 17, 31, 100}) {
    auto input = torch::randn({rows, 40}).clamp(-5, 5);
    input[rows - 1][3] = 6.0;  // the extremes sit in the last block only
    input[rows - 1][4] = -6.0;
    const auto expected = torch::nn::functional::linear(input, weight, bias);
    const auto error = (blocked.forward(input) - expected).abs().max().item<double>();
    EXPECT_LT(error, 2.0 * (whole.forward(input) - expected).abs().max().item<double>() + 1e-6) << rows << " rows";
    if (rows > 16) {
      // Run as they are: the same arithmetic. Not always the same bits: where oneDNN has AMX, the
      // primitive prepared for the block shape and the one made on the fly may differ in the last
      // bit of the FP32 dequantization (1.5e-7 of 1.2 measured), 10^4 below the INT8 error itself.
      const double gap = (blocked.forward(input) - whole.forward(input)).abs().max().item<double>();
      EXPECT_LE(gap, 1e-6 * expected.abs().max().item<double>()) << rows << " rows";
    }
  }
  const auto input_quant = tpq::quant::ActivationQuant::from_range(-3, 3);
  const auto output_quant = tpq::quant::ActivationQuant::from_range(-2, 2);
  const auto static_whole = with_row_block("0", [&] { return tpq::quant::StaticInt8Linear(quantized, bias, input_quant, output_quant); });
  const auto static_blocked = with_row_block("16", [&] { return tpq::quant::StaticInt8Linear(quantized, bias, input_quant, output_quant); });
  // The fused oneDNN path (on when blocks are) computes what the textbook quantize -> GEMM ->
  // requantize -> dequantize path computes: at most one output step apart (rounding order).
  for (int64_t rows : {1, 16, 33}) {
    const auto input = torch::randn({2, rows, 40}) * 2;  // some values beyond the calibrated range
    const auto difference = (static_blocked.forward(input) - static_whole.forward(input)).abs();
    EXPECT_LE(difference.max().item<double>(), output_quant.scale * 1.001) << rows << " rows";
    EXPECT_LT(difference.gt(1e-6).to(torch::kFloat).mean().item<double>(), 0.02) << rows << " rows";
  }
}

TEST_F(Int8Linear, StaticKernelWithCalibratedRangesAgreesWithFp32) {
  const auto weight = torch::randn({32, 64}) * 0.05;
  const auto bias = torch::randn({32}) * 0.1;
  const auto input = torch::randn({10, 64});
  const auto reference = torch::nn::functional::linear(input, weight, bias);
  const auto input_quant = tpq::quant::ActivationQuant::from_range(input.min().item<double>(), input.max().item<double>());
  const auto output_quant = tpq::quant::ActivationQuant::from_range(reference.min().item<double>(), reference.max().item<double>());
  tpq::quant::StaticInt8Linear kernel(Int8Weight::quantize(weight, Granularity::PerChannel), bias, input_quant, output_quant);
  EXPECT_LT(relative_error(kernel.forward(input), reference), 0.05);
}

TEST_F(Int8Linear, ActivationRangeAlwaysContainsZero) {
  const auto positive = tpq::quant::ActivationQuant::from_range(2.0, 6.0);
  EXPECT_EQ(positive.zero_point, 0);
  EXPECT_NEAR(positive.scale, 6.0 / 255, 1e-6);
  const auto symmetric = tpq::quant::ActivationQuant::from_range(-1.0, 1.0);
  EXPECT_NEAR(symmetric.zero_point, 128, 1);
}

TEST_F(Int8Linear, UnknownEngineOrGranularityIsAClearError) {
  EXPECT_THROW(tpq::quant::select_engine("tensorrt"), tpq::UserError);
  EXPECT_THROW(tpq::quant::parse_granularity("per_row"), tpq::UserError);
  EXPECT_FALSE(tpq::quant::available_engines().empty());
}

}  // namespace
