// tpq's oneDNN FP32/BF16 matmul behind LinearImpl, and the Linear paths that pick it.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "tpq/kernels/dense_matmul.h"
#include "tpq/model/linear.h"
#include "tpq/quant/engine.h"
#include "tpq/quant/int8_linear.h"

namespace {

using tpq::kernels::Activation;

class KernelsDenseMatmul : public ::testing::Test {
 protected:
  void SetUp() override { torch::manual_seed(0); }
};

TEST_F(KernelsDenseMatmul, AgreesWithLinearInFp32AndBf16) {
  const auto weight = torch::randn({48, 80});
  const auto bias = torch::randn({48});
  for (int64_t rows : {1, 33, 128}) {
    const auto input = torch::randn({rows, 80});
    const auto expected = torch::nn::functional::linear(input, weight, bias);
    const tpq::kernels::DenseMatmul dense;
    EXPECT_LE((dense.forward(input, weight, bias) - expected).abs().max().item<double>(), 1e-4) << rows;
    const auto low = dense.forward(input.to(torch::kBFloat16), weight.to(torch::kBFloat16), bias.to(torch::kBFloat16));
    EXPECT_EQ(low.scalar_type(), torch::kBFloat16);
    EXPECT_LE((low.to(torch::kFloat) - expected).abs().max().item<double>(), 0.02 * expected.abs().max().item<double>());
  }
}

TEST_F(KernelsDenseMatmul, LinearUsesItOnlyWithoutGradients) {
  tpq::model::Linear linear(16, 8);
  torch::nn::init::normal_(linear->weight);
  const auto input = torch::randn({4, 6, 16});
  EXPECT_FALSE(tpq::kernels::dense_matmul_applies(input, linear->weight, linear->bias));  // training: autograd's linear
  const auto trained = linear(input);
  EXPECT_TRUE(trained.requires_grad());
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(tpq::kernels::dense_matmul_applies(input, linear->weight, linear->bias));
  const auto inferred = linear(input);
  EXPECT_EQ(inferred.sizes(), trained.sizes());
  EXPECT_LE((inferred - trained.detach()).abs().max().item<double>(), 1e-5);
  linear->weight.mul_(2);  // the weight is read in place: a changed weight is never stale
  EXPECT_LE((linear(input) - torch::nn::functional::linear(input, linear->weight, linear->bias)).abs().max().item<double>(), 1e-5);
  EXPECT_FALSE(tpq::kernels::dense_matmul_applies(input.to(torch::kDouble), linear->weight, linear->bias));
}

TEST_F(KernelsDenseMatmul, FusedActivationEqualsTheActivationAfterwards) {
  tpq::model::Linear linear(24, 40);
  torch::nn::init::normal_(linear->weight);
  const auto input = torch::randn({3, 7, 24});
  torch::NoGradGuard no_grad;
  for (auto activation : {Activation::Relu, Activation::Gelu, Activation::GeluTanh}) {
    const auto expected = tpq::kernels::apply_activation(torch::nn::functional::linear(input, linear->weight, linear->bias), activation);
    EXPECT_LE((linear->forward_activated(input, activation) - expected).abs().max().item<double>(), 1e-5)
        << static_cast<int>(activation);
  }
}

TEST_F(KernelsDenseMatmul, QueryKeyAndValueShareOneQuantizedInput) {
  tpq::quant::select_engine("auto");
  std::vector<tpq::model::Linear> owners;
  std::vector<tpq::model::LinearImpl*> linears;
  for (int i = 0; i < 3; ++i) {
    owners.emplace_back(32, 16);
    torch::nn::init::normal_(owners.back()->weight, 0, 0.1);
    const auto weight = tpq::quant::Int8Weight::quantize(owners.back()->weight, tpq::quant::Granularity::PerChannel);
    owners.back()->replace_with(std::make_shared<tpq::quant::DynamicInt8Linear>(weight, owners.back()->bias.detach().clone()));
    linears.push_back(owners.back().get());
  }
  const auto input = torch::randn({2, 9, 32});
  const auto shared = tpq::model::forward_sharing_input(linears, input);
  ASSERT_EQ(shared.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    // The grid depends on the input alone: quantizing once computes what each Linear computes.
    EXPECT_TRUE(torch::equal(shared[i], linears[i]->forward(input))) << i;
  }
}

}  // namespace
