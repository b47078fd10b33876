// `tpq report`: fills the lab-report template from the results tree into report/实验报告.md (or
// --output), with the report folder's figures/ and tables/, and exports it as HTML or DOCX on request.
#include <cstdio>
#include <memory>

#include "commands.h"
#include "tpq/report/lab_report.h"

namespace tpq::cli {

Command add_report_command(CLI::App& app) {
  auto options = std::make_shared<report::LabReportOptions>();
  CLI::App* command = app.add_subcommand("report", "Fill the lab-report template from results/*/metrics.json");
  command->add_option("--results-dir,--results_dir", options->results_dir, "Results tree")->capture_default_str();
  command->add_option("--template", options->template_path, "The course template (Markdown)")->capture_default_str();
  command->add_option("--output", options->output, "The filled report; figures/ and tables/ are written beside it")->capture_default_str();
  command->add_option("--format", options->formats, "Also export through pandoc: html, docx (repeat or comma-separate)")
      ->delimiter(',');
  return [command, options]() {
    if (!command->parsed()) return -1;
    for (const auto& path : report::write_lab_report(*options)) std::printf("%s\n", path.string().c_str());
    return 0;
  };
}

}  // namespace tpq::cli
