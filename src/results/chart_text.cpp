#include "tpq/results/chart_text.h"

#include <cstdlib>

#include <spdlog/spdlog.h>

#include "tpq/core/shell.h"
#include "tpq/core/error.h"

namespace tpq::results {
namespace {

// A Simplified-Chinese family first (Noto Sans CJK SC from fonts-noto-cjk), else any font that
// covers Chinese.
std::string installed_cjk_family() {
  const std::string families = command_output("fc-list :lang=zh-cn family");
  if (families.find("Noto Sans CJK SC") != std::string::npos) return "Noto Sans CJK SC";
  const auto end = families.find_first_of(",\n");
  return families.substr(0, end);
}

}  // namespace

ChartStyle choose_chart_style(const char* requested, const std::string& cjk_family) {
  const std::string language = requested == nullptr ? "" : requested;
  if (language == "en") return {};
  if (!language.empty() && language != "zh") {
    throw UserError("TPQ_CHART_LANG=" + language + " is not a chart language: use zh (Chinese) or en (English)");
  }
  if (cjk_family.empty()) {
    return {ChartLanguage::English, "DejaVu Sans",
            "no Chinese font found (fc-list :lang=zh-cn is empty), so charts use English labels: "
            "sudo apt-get install fonts-noto-cjk (scripts/setup.sh does), or set TPQ_CHART_LANG=en to silence this"};
  }
  return {ChartLanguage::Chinese, cjk_family, ""};
}

const ChartStyle& chart_style() {
  static const ChartStyle style = [] {
    const char* requested = std::getenv("TPQ_CHART_LANG");
    const bool english = requested != nullptr && std::string(requested) == "en";
    ChartStyle chosen = choose_chart_style(requested, english ? std::string() : installed_cjk_family());
    if (!chosen.warning.empty()) spdlog::warn("charts: {}", chosen.warning);
    return chosen;
  }();
  return style;
}

std::string chart_text(const std::string& english, const std::string& chinese) {
  return chart_style().language == ChartLanguage::Chinese ? chinese : english;
}

}  // namespace tpq::results
