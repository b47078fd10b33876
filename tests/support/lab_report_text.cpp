#include "support/lab_report_text.h"

#include <sstream>

#include "test_paths.h"
#include "tpq/io/atomic_file.h"
#include "tpq/report/lab_report.h"

namespace tpq::testing {
namespace fs = std::filesystem;

std::string course_template() { return io::read_file(fs::path(TPQ_TEST_SOURCE_DIR) / "report" / "实验报告模板.md"); }

report::Environment fake_environment() {
  report::Environment env;
  env.cpu = "Test CPU";
  env.cores = "2";
  env.memory = "24 GiB";
  env.gpu = "无";
  env.os = "Debian";
  env.compiler = "GCC";
  env.libtorch = "LibTorch 1.13";
  env.blas = "OpenBLAS";
  env.cuda = "无";
  env.dependencies = {{"spdlog", "1.10.0", "macro"}};
  return env;
}

std::string fill_report(const fs::path& results) {
  const auto tree = report::load_results_tree(results);
  return report::fill_lab_report(course_template(), tree, fake_environment()).markdown;
}

std::string report_section(const std::string& report, const std::string& heading) {
  const auto start = report.find(heading + "\n");
  if (start == std::string::npos) return "";
  const auto next = report.find("\n#", start + heading.size());
  return report.substr(start, next == std::string::npos ? std::string::npos : next - start);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace tpq::testing
