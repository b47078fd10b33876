// Chart labels in the report's language. The lab report is Chinese, so charts carry Chinese titles
// and axis names when a CJK font is installed (Debian's fonts-noto-cjk, which scripts/setup.sh
// installs); without one, Chinese would draw as empty boxes, so they fall back to English with one
// warning. TPQ_CHART_LANG=en or zh forces a language (zh without a CJK font still falls back).
#pragma once

#include <string>

namespace tpq::results {

enum class ChartLanguage { English, Chinese };

struct ChartStyle {
  ChartLanguage language = ChartLanguage::English;
  std::string font = "DejaVu Sans";  // a fontconfig family gnuplot's pngcairo terminal can use
  std::string warning;               // why Chinese was asked for but not used ("" when it was not)
};

// The decision, without side effects: `requested` is TPQ_CHART_LANG (nullptr or "" = zh),
// `cjk_family` the CJK font family found ("" = none).
ChartStyle choose_chart_style(const char* requested, const std::string& cjk_family);

// The process's style: decided once (fontconfig is asked once), the warning logged once.
const ChartStyle& chart_style();

// `chinese` when charts are drawn in Chinese, `english` otherwise.
std::string chart_text(const std::string& english, const std::string& chinese);

}  // namespace tpq::results
