// The fused add + LayerNorm's row loops, compiled from one source twice: portable, and for AVX-512
// by a target pragma (the rest of tpq is not), called only where the CPU has it.
#include "add_layer_norm_rows.h"

#include <cmath>
#include <cstring>

namespace tpq::model::detail {

namespace portable {
#include "add_layer_norm_rows.inc"
}  // namespace portable

#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")
namespace avx512 {
#include "add_layer_norm_rows.inc"
}  // namespace avx512
#pragma GCC pop_options

}  // namespace tpq::model::detail
