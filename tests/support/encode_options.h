// EncodeOptions in one line for tokenizer tests: max_length, padding to it, truncation.
#pragma once

#include <cstdint>

#include "tpq/tokenize/tokenizer.h"

namespace tpq::testing {

inline tokenize::EncodeOptions encode_options(int64_t max_length, bool pad = false, bool truncation = true) {
  tokenize::EncodeOptions result;
  result.max_length = max_length;
  result.pad_to_max_length = pad;
  result.truncation = truncation;
  return result;
}

}  // namespace tpq::testing
