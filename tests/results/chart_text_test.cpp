// Chart language: Chinese labels only when a CJK font can draw them, English with a warning otherwise.
#include <gtest/gtest.h>

#include "tpq/core/error.h"
#include "tpq/results/chart_text.h"

namespace {
using tpq::results::ChartLanguage;
using tpq::results::choose_chart_style;

TEST(ChartText, ChineseWithTheCjkFontByDefault) {
  for (const char* requested : {static_cast<const char*>(nullptr), "", "zh"}) {
    const auto style = choose_chart_style(requested, "Noto Sans CJK SC");
    EXPECT_EQ(style.language, ChartLanguage::Chinese);
    EXPECT_EQ(style.font, "Noto Sans CJK SC");
    EXPECT_TRUE(style.warning.empty());
  }
}

TEST(ChartText, EnglishWithAWarningWhenNoCjkFontIsInstalled) {
  const auto style = choose_chart_style(nullptr, "");
  EXPECT_EQ(style.language, ChartLanguage::English);
  EXPECT_EQ(style.font, "DejaVu Sans");
  EXPECT_NE(style.warning.find("fonts-noto-cjk"), std::string::npos) << style.warning;
}

TEST(ChartText, EnglishOnRequestWithoutAWarning) {
  const auto style = choose_chart_style("en", "Noto Sans CJK SC");
  EXPECT_EQ(style.language, ChartLanguage::English);
  EXPECT_TRUE(style.warning.empty());
}

TEST(ChartText, AnUnknownLanguageIsAClearError) {
  try {
    choose_chart_style("fr", "Noto Sans CJK SC");
    FAIL() << "expected a UserError";
  } catch (const tpq::UserError& error) {
    EXPECT_NE(std::string(error.what()).find("TPQ_CHART_LANG=fr"), std::string::npos) << error.what();
  }
}

}  // namespace
