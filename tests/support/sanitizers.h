// Skips a test that needs sentencepiece when the test binary is an AddressSanitizer build (see
// scripts/sanitize.sh): the bridge needs dlopen(RTLD_DEEPBIND), which ASan refuses. Normal builds
// run these tests unchanged.
#pragma once

#include <gtest/gtest.h>

#include "tpq/core/sanitizers.h"

#define TPQ_SKIP_WITHOUT_SENTENCEPIECE()                                                               \
  if (::tpq::kAddressSanitizer) {                                                                      \
    GTEST_SKIP() << "needs sentencepiece, whose bridge is dlopen()ed with RTLD_DEEPBIND; "              \
                    "AddressSanitizer refuses RTLD_DEEPBIND (google/sanitizers#611)";                   \
  }
