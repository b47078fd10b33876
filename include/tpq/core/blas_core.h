// OpenBLAS picks its kernels for the CPU it runs on (DYNAMIC_ARCH). Debian bookworm's 0.3.21
// predates some CPUs (Sapphire Rapids Xeons among them) and falls back to its Prescott (SSE3)
// kernels there: FP32 matmuls run about 6x slower (bert-base, batch 32 x 128 tokens, 2 threads:
// 20.3 s instead of 3.3 s), which would skew every speed-up against FP32. OPENBLAS_CORETYPE
// chooses the kernels, but OpenBLAS reads it only when it loads, so the fix is a restart.
#pragma once

#include <string>

namespace tpq {

// The kernels OpenBLAS chose ("Prescott", "SkylakeX", ...); empty when OpenBLAS is not loaded.
std::string openblas_core_name();

// Call first thing in main(). If OpenBLAS fell back to Prescott kernels on a CPU with AVX-512
// (AVX2), re-executes this program once with OPENBLAS_CORETYPE=SkylakeX (Haswell); returns
// normally otherwise, and when OPENBLAS_CORETYPE is already set (the user's choice, or the restart).
void restart_with_matching_openblas_kernels(char** argv);

// A line for the log when this process is the restart (empty otherwise).
std::string openblas_restart_note();

}  // namespace tpq
