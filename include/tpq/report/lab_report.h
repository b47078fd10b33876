// The lab report: fills the course template (report/实验报告模板.md) from a results tree into
// report/实验报告.md. Headings, order and table layouts stay the template's; each known section's
// body is written from the recorded numbers (an experiment not run says so instead of numbers),
// unknown sections are kept as written. Only 姓名 / 学号 / 指导教师 stay blank.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tpq/report/environment.h"
#include "tpq/report/results_tree.h"

namespace tpq::report {

struct LabReportOptions {
  std::filesystem::path results_dir = "results";
  std::filesystem::path template_path = "report/实验报告模板.md";
  std::filesystem::path output = "report/实验报告.md";
  std::vector<std::string> formats;  // besides the Markdown: "html", "docx" (exported by pandoc)
};

// A chart the report embeds: `source` in the results tree, copied to figures/<name> beside the report.
struct FigureCopy {
  std::filesystem::path source;
  std::string name;
};

struct FilledReport {
  std::string markdown;
  std::vector<std::string> kept_sections;  // template headings tpq has no writer for (kept verbatim)
  std::vector<FigureCopy> figures;         // what the Markdown links as figures/<name>
};

// Figures are linked as figures/<name> (report.figures says which to copy there).
FilledReport fill_lab_report(const std::string& template_text, const ResultsTree& tree, const Environment& environment);

// Reads the template and the results, fills, and publishes the report folder: the Markdown, with
// figures/ (copies of the charts it embeds) and tables/ (the results' CSVs) beside it, all replaced
// together, then the requested exports. Returns the paths written, the Markdown first.
std::vector<std::filesystem::path> write_lab_report(const LabReportOptions& options);

}  // namespace tpq::report
