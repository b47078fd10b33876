// OpenBLAS's fallback to Prescott kernels on CPUs it does not know (Debian's 0.3.21 on Sapphire
// Rapids) costs FP32 6x; tpq programs restart themselves with OPENBLAS_CORETYPE. This test process
// does not restart, so it sees what OpenBLAS chose by itself and checks the CLI against that.
#include <strings.h>

#include <cstdlib>
#include <iostream>

#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "tpq/core/blas_core.h"

namespace {

using tpq::testing::run_command;

std::string cli_blas_line(const std::string& environment) {
  const auto result = run_command(environment + " " + tpq::testing::cli_path() +
                                  " bench --shape tiny --variants fp32 --batch-sizes 1 --seq-lens 8 --warmup 0 --trials 1");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  return result.output;
}

// The log line naming the BLAS and its kernels ("... BLAS: OpenBLAS (...) OpenBLAS 0.3.21 ... SkylakeX ...").
std::string blas_line(const std::string& output) {
  const auto start = output.find("] BLAS: ");
  if (start == std::string::npos) return "";
  return output.substr(start, output.find('\n', start) - start) + " ";
}

// Without OPENBLAS_CORETYPE this process runs OpenBLAS's own choice (own); the CLI must restart
// itself only where that choice is the Prescott fallback on an AVX2 CPU.
void expect_the_cli_keeps_openblas_choice(const std::string& own) {
  const std::string output = cli_blas_line("env -u OPENBLAS_CORETYPE -u TPQ_OPENBLAS_CORETYPE_RESTART");
  __builtin_cpu_init();
  const bool fell_back = strcasecmp(own.c_str(), "prescott") == 0 && __builtin_cpu_supports("avx2");
  if (fell_back) {
    EXPECT_NE(output.find("tpq restarted itself with OPENBLAS_CORETYPE="), std::string::npos) << output;
    EXPECT_EQ(blas_line(output).find(" Prescott "), std::string::npos) << "the CLI still runs Prescott kernels:\n" << output;
    EXPECT_NE(blas_line(output), "") << output;
  } else {
    EXPECT_EQ(output.find("restarted itself"), std::string::npos) << output;
    EXPECT_NE(blas_line(output).find(" " + own + " "), std::string::npos) << "expected OpenBLAS's own choice " << own << ":\n" << output;
  }
}

TEST(OpenBlasKernels, TheCliRestartsWithMatchingKernelsOnlyWhenOpenBlasFellBackToPrescott) {
  const std::string own = tpq::openblas_core_name();
  ASSERT_FALSE(own.empty()) << "OpenBLAS is not loaded in the test binary (scripts/setup.sh installs libopenblas0-openmp)";
  if (std::getenv("OPENBLAS_CORETYPE") == nullptr) {
    expect_the_cli_keeps_openblas_choice(own);
  } else {
    std::cerr << "OPENBLAS_CORETYPE is set for the tests, so OpenBLAS's own choice is hidden from them: "
                 "checking only that a user's setting is kept\n";
  }
  // A user's OPENBLAS_CORETYPE is respected, never overridden.
  const std::string chosen = cli_blas_line("OPENBLAS_CORETYPE=Prescott");
  EXPECT_EQ(chosen.find("restarted itself"), std::string::npos) << chosen;
  EXPECT_NE(blas_line(chosen).find(" Prescott "), std::string::npos) << chosen;
}

}  // namespace
