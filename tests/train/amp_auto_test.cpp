// training.amp auto: bf16 only where the CPU computes it natively, never a CUDA guess.
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "tpq/core/runtime_info.h"
#include "tpq/train/train_config.h"

namespace {

TEST(AmpAuto, ExplicitChoicesPassThrough) {
  for (const char* amp : {"none", "bf16", "fp16"}) {
    EXPECT_EQ(tpq::train::resolve_amp(amp, false), amp);
    EXPECT_EQ(tpq::train::resolve_amp(amp, true), amp);
  }
}

TEST(AmpAuto, CudaStaysFp32) { EXPECT_EQ(tpq::train::resolve_amp("auto", true), "none"); }

// The flag is read from /proc/cpuinfo as the kernel reports it (checked here independently).
TEST(AmpAuto, CpuFollowsTheNativeBf16Flags) {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  bool native = false;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("flags", 0) == 0) {
      native = line.find("avx512_bf16") != std::string::npos || line.find("amx_bf16") != std::string::npos;
      break;
    }
  }
  EXPECT_EQ(tpq::cpu_has_native_bf16(), native);
  EXPECT_EQ(tpq::train::resolve_amp("auto", false), native ? "bf16" : "none");
}

}  // namespace
