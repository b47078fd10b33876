// The lab report as a test reads it: filled from a results tree with the course template and a
// fixed environment, then cut into sections by heading.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tpq/report/environment.h"

namespace tpq::testing {

// report/实验报告模板.md of the source tree.
std::string course_template();

// A fixed environment, so that reports do not depend on the machine.
report::Environment fake_environment();

// The report filled from `results` (a results/ tree) with the course template.
std::string fill_report(const std::filesystem::path& results);

// The body of the section under `heading` (up to the next heading of any level), "" if absent.
std::string report_section(const std::string& report, const std::string& heading);

std::vector<std::string> lines_of(const std::string& text);

}  // namespace tpq::testing
