// Errors a user can act on. UserError is raised where input enters tpq (files, keys, flags) and
// carries a one-line message naming the input, what was wrong and, where possible, the fix.
#pragma once

#include <stdexcept>
#include <string>

namespace tpq {

class UserError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws UserError(message) when condition is false. For input validation, not internal invariants.
inline void require(bool condition, const std::string& message) {
  if (!condition) throw UserError(message);
}

}  // namespace tpq
