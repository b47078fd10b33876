// Picks the fastest quantized-kernel engine this LibTorch has (Debian 1.13: onednn, qnnpack; pip
// wheels: also fbgemm), sets it process-wide and says which, so tables can name it.
#pragma once

#include <string>
#include <vector>

namespace tpq::quant {

std::vector<std::string> available_engines();

// preference "auto" = onednn > fbgemm > qnnpack on x86; or a name from available_engines().
// UserError if the named engine is not compiled in (the message lists those that are).
std::string select_engine(const std::string& preference = "auto");

std::string current_engine();

}  // namespace tpq::quant
