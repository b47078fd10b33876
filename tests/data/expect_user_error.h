// Test helper: runs a callable that must throw tpq::UserError whose one-line message contains
// every given fragment (file name, line number, column, the fix...).
#pragma once

#include <initializer_list>
#include <string>

#include <gtest/gtest.h>

#include "tpq/core/error.h"

#define TPQ_EXPECT_USER_ERROR(statement, ...)                                                       \
  do {                                                                                             \
    try {                                                                                          \
      statement;                                                                                   \
      ADD_FAILURE() << "expected tpq::UserError from: " #statement;                                \
    } catch (const ::tpq::UserError& error) {                                                      \
      const std::string message = error.what();                                                    \
      EXPECT_EQ(message.find('\n'), std::string::npos) << "not one line: " << message;            \
      for (const std::string fragment : std::initializer_list<std::string>{__VA_ARGS__}) {         \
        EXPECT_NE(message.find(fragment), std::string::npos)                                       \
            << "message lacks '" << fragment << "': " << message;                                  \
      }                                                                                            \
    }                                                                                              \
  } while (false)
