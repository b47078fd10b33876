// The tiny-bert-a conformance checks on CUDA (FP32, FP16, BF16). They skip on machines without a
// CUDA device (this project's CI); scripts/build_cuda.sh --run-checks runs them on a GPU machine.
//
// The fixture's logits barely depend on the input (3e-3 across sentences), so a logit tolerance
// wide enough for FP16/BF16 would pass a broken encoder. Each precision is judged instead on the
// input-dependent part of the [CLS] state (each sentence's state minus the mean over sentences),
// relative to HF's: an encoder that ignores its input scores 1. The same check runs in BF16 on the
// CPU (CI), which is where the BF16 bound was measured.
#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include "support/dead_linear.h"
#include "support/fixtures.h"
#include "support/reference.h"
#include "tpq/checkpoint/checkpoint.h"

namespace {

using tpq::testing::centered;
using tpq::testing::relative_error;
using tpq::testing::tensor_from_json;

#define TPQ_REQUIRE_CUDA()                                                                        \
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device (run on a GPU machine: scripts/build_cuda.sh --run-checks)"

// The [CLS] state of every reference sentence, computed on `device` in `dtype`, back as CPU FP32.
torch::Tensor cls_states(const std::filesystem::path& dir, const nlohmann::json& ref, torch::Device device, torch::ScalarType dtype) {
  tpq::checkpoint::LoadOptions options;
  options.device = device;
  auto checkpoint = tpq::checkpoint::load_checkpoint(dir, options);
  checkpoint.model->to(dtype);
  checkpoint.model->eval();
  torch::NoGradGuard no_grad;
  return checkpoint.model->forward(tpq::testing::reference_inputs(ref, device)).last_hidden_state.select(1, 0).to(torch::kCPU, torch::kFloat);
}

// Relative error of the input-dependent [CLS] state against HF's FP32 reference.
double cls_deviation_error(torch::Device device, torch::ScalarType dtype, const std::filesystem::path& dir) {
  const auto ref = tpq::testing::read_json_file(dir / "reference.json");
  const auto expected = tensor_from_json(ref["last_hidden_state_cls"], torch::kFloat);
  return relative_error(centered(cls_states(dir, ref, device, dtype)), centered(expected));
}

// The centered [CLS] state is small beside the state itself, so rounding weighs heavily on it: BF16
// on the CPU measured 0.197 (FP32 6e-6). BF16 keeps 8 significant bits, FP16 11 (8x finer).
constexpr double kBf16Bound = 0.5;
constexpr double kFp16Bound = 0.1;

struct PrecisionCase {
  torch::ScalarType dtype;
  double bound;  // relative error of the centered [CLS] state; a constant encoder scores 1
};

class BertCudaConformance : public ::testing::TestWithParam<PrecisionCase> {};

TEST_P(BertCudaConformance, InputDependentClsStateMatchesHuggingFace) {
  TPQ_REQUIRE_CUDA();
  TPQ_REQUIRE_FIXTURE(dir, "tiny-bert-a");
  const double error = cls_deviation_error(torch::Device(torch::kCUDA), GetParam().dtype, dir);
  EXPECT_LT(error, GetParam().bound) << "dtype " << c10::toString(GetParam().dtype);
}

// Bounds about 2.5x the expected error, all well below the 1.0 of an encoder that ignores its input.
INSTANTIATE_TEST_SUITE_P(Precisions, BertCudaConformance,
                         ::testing::Values(PrecisionCase{torch::kFloat, 1e-4}, PrecisionCase{torch::kHalf, kFp16Bound},
                                           PrecisionCase{torch::kBFloat16, kBf16Bound}),
                         [](const auto& info) { return std::string(c10::toString(info.param.dtype)); });

TEST(BertBf16OnCpu, InputDependentClsStateMatchesHuggingFace) {
  TPQ_REQUIRE_FIXTURE(dir, "tiny-bert-a");
  const double fp32 = cls_deviation_error(torch::kCPU, torch::kFloat, dir);
  const double bf16 = cls_deviation_error(torch::kCPU, torch::kBFloat16, dir);
  EXPECT_LT(fp32, 1e-4);
  EXPECT_LT(bf16, kBf16Bound);
  EXPECT_GT(bf16, fp32) << "the model did not run in BF16";
}

}  // namespace
