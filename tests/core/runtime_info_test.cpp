#include <gtest/gtest.h>

#include <ATen/Parallel.h>

#include "tpq/core/device.h"
#include "tpq/core/error.h"
#include "tpq/core/runtime_info.h"

TEST(RuntimeInfo, DetectsTheBlasThatServesSgemm) {
  const tpq::BlasInfo blas = tpq::detect_blas();
  EXPECT_FALSE(blas.name.empty());
  // setup.sh installs OpenBLAS; the suite must not silently run on the reference BLAS.
  EXPECT_FALSE(blas.is_reference) << "LibTorch is on the reference BLAS: " << blas.library_path;
}

TEST(RuntimeInfo, RecordHasTheTraceabilityFields) {
  const auto record = tpq::runtime_record();
  for (const char* key : {"libtorch_version", "blas", "cpu_model", "threads", "git_rev"}) {
    EXPECT_TRUE(record.contains(key)) << key;
  }
  EXPECT_EQ(record["libtorch_version"].get<std::string>().substr(0, 1).find_first_of("12"), 0u);
}

TEST(RuntimeInfo, TpqsOwnParallelLoopsUseEveryThread) {
  // Without -fopenmp on tpq, at::parallel_for in tpq's code silently runs on one thread.
  const int before = at::get_num_threads();
  at::set_num_threads(2);
  EXPECT_EQ(tpq::tpq_parallel_loop_threads(), 2);
  EXPECT_EQ(tpq::runtime_record()["parallel_loop_threads"].get<int>(), 2);
  at::set_num_threads(before);
}

TEST(Device, CudaWithoutCudaIsAClearError) {
  if (torch::cuda::is_available()) GTEST_SKIP() << "this machine has CUDA";
  try {
    tpq::parse_device("cuda");
    FAIL() << "expected a UserError";
  } catch (const tpq::UserError& error) {
    EXPECT_NE(std::string(error.what()).find("--device cuda"), std::string::npos);
  }
}

TEST(Device, RejectsUnknownDeviceNames) {
  EXPECT_THROW(tpq::parse_device("gpu0"), tpq::UserError);
  EXPECT_EQ(tpq::parse_device("cpu"), torch::Device(torch::kCPU));
}

TEST(Device, RejectsNegativeThreadCounts) { EXPECT_THROW(tpq::set_threads(-1), tpq::UserError); }
