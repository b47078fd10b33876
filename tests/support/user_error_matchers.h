// Test helpers for UserError messages: capture the message an action throws, and check that it
// mentions the expected parts (plain gtest, so no gmock link is needed).
#pragma once

#include <string>

#include <gtest/gtest.h>

#include "tpq/core/error.h"

namespace tpq::testing {

inline ::testing::AssertionResult contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

// Runs `action`, expects it to throw UserError, returns the message ("" and a test failure otherwise).
template <typename Action>
std::string user_error_of(Action&& action) {
  try {
    action();
  } catch (const UserError& error) {
    return error.what();
  } catch (const std::exception& error) {
    ADD_FAILURE() << "expected a UserError, got another exception: " << error.what();
    return "";
  }
  ADD_FAILURE() << "expected a UserError, nothing was thrown";
  return "";
}

}  // namespace tpq::testing
