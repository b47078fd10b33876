// tpq's own oneDNN INT8 matmul and input quantizer against the integer arithmetic they stand for.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "tpq/kernels/int8_matmul.h"
#include "tpq/kernels/kernel_info.h"
#include "tpq/kernels/u8_quantizer.h"
#include "tpq/quant/int8_linear.h"

namespace {

using tpq::kernels::Activation;
using tpq::kernels::Int8Matmul;
using tpq::kernels::U8Grid;

// y = s_x * s_w[n] * sum_k (q[m,k] - zp) w[n,k] + b[n], in double.
torch::Tensor integer_reference(const torch::Tensor& q, const U8Grid& grid, const torch::Tensor& w8,
                                const torch::Tensor& scales, const torch::Tensor& bias) {
  const auto centred = q.to(torch::kDouble) - grid.zero_point;
  const auto accumulated = torch::matmul(centred, w8.to(torch::kDouble).t());
  return (accumulated * scales.to(torch::kDouble) * static_cast<double>(grid.scale) + bias.to(torch::kDouble)).to(torch::kFloat);
}

class KernelsInt8Matmul : public ::testing::Test {
 protected:
  void SetUp() override { torch::manual_seed(0); }
};

TEST_F(KernelsInt8Matmul, ComputesTheIntegerArithmeticForEveryRowCountAndGranularity) {
  const int64_t in = 96, out = 40;
  const auto w8 = torch::randint(-127, 128, {out, in}).to(torch::kChar);
  const auto bias = torch::randn({out});
  for (const auto& scales : {torch::rand({1}) * 0.01 + 1e-3, torch::rand({out}) * 0.01 + 1e-3}) {
    const Int8Matmul matmul(w8, scales, bias);
    for (int64_t rows : {1, 7, 128, 129, 7}) {  // 7 twice: the cached primitive computes what the new one did
      const auto q = torch::randint(0, 256, {rows, in}).to(torch::kByte);
      const U8Grid grid{0.037f, 131};
      const auto expected = integer_reference(q, grid, w8, scales.expand({out}), bias);
      const auto error = (matmul.forward(q, grid) - expected).abs().max().item<double>();
      EXPECT_LE(error, 1e-5 * expected.abs().max().item<double>()) << rows << " rows, " << scales.numel() << " scale(s)";
    }
  }
}

TEST_F(KernelsInt8Matmul, FusedActivationsEqualTheActivationAppliedAfterwards) {
  const auto w8 = torch::randint(-127, 128, {32, 64}).to(torch::kChar);
  const Int8Matmul matmul(w8, torch::full({32}, 0.004), torch::randn({32}));
  const auto q = torch::randint(0, 256, {20, 64}).to(torch::kByte);
  const U8Grid grid{0.02f, 120};
  const auto plain = matmul.forward(q, grid);
  for (auto activation : {Activation::Relu, Activation::Gelu, Activation::GeluTanh}) {
    const auto fused = matmul.forward(q, grid, activation);
    EXPECT_LE((fused - tpq::kernels::apply_activation(plain, activation)).abs().max().item<double>(), 1e-5)
        << static_cast<int>(activation);
  }
}

TEST_F(KernelsInt8Matmul, EmptyInputsAndLayersGiveTheBias) {
  const auto bias = torch::randn({5});
  const Int8Matmul no_inputs(torch::zeros({5, 0}, torch::kChar), torch::ones({5}), bias);
  const auto output = no_inputs.forward(torch::zeros({3, 0}, torch::kByte), U8Grid{1.0f, 0});
  EXPECT_TRUE(torch::equal(output, bias.expand({3, 5})));
  const Int8Matmul layer(torch::ones({5, 4}, torch::kChar), torch::ones({5}), bias);
  EXPECT_EQ(layer.forward(torch::zeros({0, 4}, torch::kByte), U8Grid{1.0f, 0}).sizes(), (std::vector<int64_t>{0, 5}));
}

TEST_F(KernelsInt8Matmul, QuantizerRoundsOntoTheGridAndSaturates) {
  const auto rows = torch::randn({50, 33}) * 3;
  const auto grid = tpq::kernels::dynamic_grid(rows);
  EXPECT_NEAR(grid.scale, (rows.max().item<float>() - rows.min().item<float>()) / 255.0f, 1e-6);
  const auto q = tpq::kernels::U8Quantizer().quantize(rows, grid);
  const auto expected = torch::clamp(torch::round(rows / grid.scale) + grid.zero_point, 0, 255);
  // x * (1/s) against x / s: a value on a rounding tie may land one step apart.
  EXPECT_LE((q.to(torch::kFloat) - expected).abs().max().item<double>(), 1.0);
  EXPECT_LT(q.to(torch::kFloat).ne(expected).sum().item<int64_t>(), 3);
  const U8Grid narrow{0.01f, 100};  // covers [-1, 1.55]: larger values saturate instead of wrapping
  const auto saturated = tpq::kernels::U8Quantizer().quantize(torch::tensor({{-5.0f, 5.0f, 0.0f}}), narrow);
  EXPECT_TRUE(torch::equal(saturated, torch::tensor({{0, 255, 100}}, torch::kByte)));
}

TEST_F(KernelsInt8Matmul, DirectAndEngineKernelsAgree) {
  tpq::quant::select_engine("auto");
  if (tpq::kernels::int8_kernel_choice() != "direct") GTEST_SKIP() << "the onednn engine is not available";
  const auto weight = torch::randn({64, 96}) * 0.05;
  const auto bias = torch::randn({64}) * 0.1;
  const auto quantized = tpq::quant::Int8Weight::quantize(weight, tpq::quant::Granularity::PerChannel);
  const tpq::quant::DynamicInt8Linear direct(quantized, bias);
  setenv("TPQ_INT8_KERNEL", "engine", 1);
  const tpq::quant::DynamicInt8Linear engine(quantized, bias);
  unsetenv("TPQ_INT8_KERNEL");
  ASSERT_NE(direct.describe(), engine.describe());
  const auto input = torch::randn({2, 150, 96});
  const auto reference = torch::nn::functional::linear(input, weight, bias);
  const auto gap = (direct.forward(input) - engine.forward(input)).abs().max().item<double>();
  // The same grid and weights: equal up to float rounding, far below the INT8 error itself.
  EXPECT_LE(gap, 1e-2 * (engine.forward(input) - reference).abs().max().item<double>());
}

}  // namespace
