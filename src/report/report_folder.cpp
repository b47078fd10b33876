#include <unistd.h>

#include "report/report_export.h"
#include "tpq/io/atomic_file.h"
#include "tpq/io/staged_directory.h"

namespace tpq::report {
namespace fs = std::filesystem;
namespace {

void copy_figures(const std::vector<FigureCopy>& figures, const fs::path& dir) {
  fs::create_directories(dir);
  for (const auto& figure : figures) fs::copy_file(figure.source, dir / figure.name, fs::copy_options::overwrite_existing);
}

// results/<experiment>/*.csv, one level deep: the tables the experiments wrote, not model files.
void copy_result_tables(const ResultsTree& tree, const fs::path& dir) {
  fs::create_directories(dir);
  for (const auto& experiment : fs::directory_iterator(tree.root)) {
    if (!experiment.is_directory()) continue;
    for (const auto& file : fs::directory_iterator(experiment.path())) {
      if (!file.is_regular_file() || file.path().extension() != ".csv") continue;
      const std::string name = experiment.path().filename().string() + "_" + file.path().filename().string();
      fs::copy_file(file.path(), dir / name, fs::copy_options::overwrite_existing);
    }
  }
}

}  // namespace

void publish_report_folder(const FilledReport& report, const ResultsTree& tree, const fs::path& output) {
  const fs::path report_dir = fs::absolute(output).parent_path();
  fs::create_directories(report_dir);
  io::clean_stale_staging(report_dir);
  const fs::path staging = io::staging_path(report_dir, ::getpid());
  fs::remove_all(staging);
  try {
    copy_figures(report.figures, staging / "figures");
    copy_result_tables(tree, staging / "tables");
    io::write_file_atomic(staging / output.filename(), report.markdown);
    io::replace_directory_contents(staging, report_dir, output.filename().string());
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(staging, ignored);
    throw;
  }
}

}  // namespace tpq::report
