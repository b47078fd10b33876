// The report's GPU line: CUDA's integer versions read as people write them, and no GPU claimed
// where LibTorch sees none (the CUDA branch itself runs only on a GPU machine).
#include <gtest/gtest.h>
#include <torch/cuda.h>

#include "report/gpu_info.h"

namespace {

TEST(GpuInfo, CudaAndCudnnVersionsReadAsReleased) {
  EXPECT_EQ(tpq::report::cuda_version_text(11070), "11.7");
  EXPECT_EQ(tpq::report::cuda_version_text(12040), "12.4");
  EXPECT_EQ(tpq::report::cuda_version_text(11080), "11.8");
  EXPECT_EQ(tpq::report::cudnn_version_text(8500), "8.5.0");
  EXPECT_EQ(tpq::report::cudnn_version_text(8907), "8.9.7");
  EXPECT_EQ(tpq::report::cudnn_version_text(90100), "9.1.0");
}

TEST(GpuInfo, NoDeviceIsReportedWhereLibTorchSeesNone) {
  const auto gpus = tpq::report::detect_gpus();
  if (torch::cuda::is_available()) {
    EXPECT_EQ(gpus.devices.size(), torch::cuda::device_count());
    EXPECT_FALSE(gpus.cuda_runtime.empty());
  } else {
    EXPECT_TRUE(gpus.devices.empty());
    EXPECT_TRUE(gpus.cuda_runtime.empty());
  }
}

}  // namespace
