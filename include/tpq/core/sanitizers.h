// Whether this translation unit is built with AddressSanitizer (GCC: __SANITIZE_ADDRESS__, clang:
// __has_feature). A few things cannot work under ASan (dlopen with RTLD_DEEPBIND) and say so.
#pragma once

namespace tpq {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif
#else
inline constexpr bool kAddressSanitizer = false;
#endif

}  // namespace tpq
