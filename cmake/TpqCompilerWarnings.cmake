# Warnings for tpq's own targets (not for third-party headers, which are included as system headers).
function(tpq_set_warnings target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter)
  endif()
  if(TPQ_SANITIZE)
    # Every tpq target (library, programs, tests) gets the same flags, so the shared PCH still fits.
    # -g1: line tables for readable reports without full debug info (torch headers make that huge).
    # Reports halt the run through UBSAN_OPTIONS/ASAN_OPTIONS (scripts/sanitize.sh), not at compile time.
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer -g1)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()
