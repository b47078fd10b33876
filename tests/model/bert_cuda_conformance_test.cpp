// The tiny-bert-a conformance checks on CUDA (FP32, FP16, BF16). They skip on machines without a
// CUDA device (this project's CI); scripts/build_cuda.sh --run-checks runs them on a GPU machine.
#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include "support/fixtures.h"
#include "support/reference.h"
#include "tpq/checkpoint/checkpoint.h"

namespace {

using tpq::testing::max_abs_difference;
using tpq::testing::tensor_from_json;

#define TPQ_REQUIRE_CUDA()                                                                        \
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device (run on a GPU machine: scripts/build_cuda.sh --run-checks)"

torch::Tensor cuda_logits(const std::filesystem::path& dir, const nlohmann::json& ref, torch::ScalarType dtype) {
  tpq::checkpoint::LoadOptions options;
  options.device = torch::Device(torch::kCUDA);
  auto checkpoint = tpq::checkpoint::load_checkpoint(dir, options);
  checkpoint.model->to(dtype);
  checkpoint.model->eval();
  torch::NoGradGuard no_grad;
  const auto cuda = torch::Device(torch::kCUDA);
  tpq::model::ModelInputs inputs{tensor_from_json(ref["input_ids"], torch::kLong).to(cuda),
                                tensor_from_json(ref["token_type_ids"], torch::kLong).to(cuda),
                                tensor_from_json(ref["attention_mask"], torch::kLong).to(cuda)};
  return checkpoint.model->forward(inputs).logits.to(torch::kCPU, torch::kFloat);
}

struct PrecisionCase {
  torch::ScalarType dtype;
  double tolerance;  // HF's FP32 logits vs ours in this precision
};

class BertCudaConformance : public ::testing::TestWithParam<PrecisionCase> {};

TEST_P(BertCudaConformance, LogitsMatchHuggingFace) {
  TPQ_REQUIRE_CUDA();
  TPQ_REQUIRE_FIXTURE(dir, "tiny-bert-a");
  const auto ref = tpq::testing::read_json_file(dir / "reference.json");
  const auto logits = cuda_logits(dir, ref, GetParam().dtype);
  EXPECT_LT(max_abs_difference(logits, tensor_from_json(ref["logits"], torch::kFloat)), GetParam().tolerance)
      << "dtype " << c10::toString(GetParam().dtype);
}

INSTANTIATE_TEST_SUITE_P(Precisions, BertCudaConformance,
                         ::testing::Values(PrecisionCase{torch::kFloat, 1e-4}, PrecisionCase{torch::kHalf, 2e-2},
                                           PrecisionCase{torch::kBFloat16, 6e-2}));

}  // namespace
