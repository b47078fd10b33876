// Test helpers for UserError messages: capture the message an action throws, and check that it is
// one line and mentions the expected parts (file, line, the fix...). Plain gtest, no gmock.
#pragma once

#include <initializer_list>
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

// Expects `action` to throw a one-line UserError whose message contains every fragment.
template <typename Action>
void expect_user_error(Action&& action, std::initializer_list<std::string> fragments) {
  const std::string message = user_error_of(std::forward<Action>(action));
  EXPECT_EQ(message.find('\n'), std::string::npos) << "not one line: " << message;
  for (const auto& fragment : fragments) EXPECT_TRUE(contains(message, fragment));
}

}  // namespace tpq::testing

// TPQ_EXPECT_USER_ERROR(statement, "fragment", ...): expect_user_error on a statement.
#define TPQ_EXPECT_USER_ERROR(statement, ...) ::tpq::testing::expect_user_error([&] { statement; }, {__VA_ARGS__})
