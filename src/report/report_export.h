// Writing the lab report out: the self-contained report folder, and exports through pandoc.
#pragma once

#include <filesystem>
#include <string>

#include "tpq/report/lab_report.h"
#include "tpq/report/results_tree.h"

namespace tpq::report {

// Writes `output` (the Markdown) with figures/ (copies of report.figures) and tables/ (every
// results/<experiment>/*.csv as tables/<experiment>_<file>.csv) beside it. All three are staged
// first and moved into place together: a failure leaves the previous report folder as it was.
void publish_report_folder(const FilledReport& report, const ResultsTree& tree, const std::filesystem::path& output);

// UserError unless `format` is one pandoc export tpq offers: html or docx.
void require_export_format(const std::string& format);

// Converts the published Markdown to <stem>.<format> beside it with pandoc (Debian's package):
// figures embedded, the document marked zh-CN, a Chinese font named. UserError (with the fix)
// when pandoc is missing or fails; an earlier export stays until the new one is complete.
std::filesystem::path export_with_pandoc(const std::filesystem::path& markdown, const std::string& format);

}  // namespace tpq::report
