// Checks that every file in a results directory is complete: what a reader of results/ would open
// after a crash. JSON parses, safetensors headers validate, checkpoint dirs load, CSVs end with a
// newline and keep one column count, PNGs end with IEND. Work-in-progress names (temp files,
// staging dirs of checkpoint::save_checkpoint) are counted as leftovers, not checked.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace tpq::testing {

struct ResultCheck {
  std::size_t files_checked = 0;
  std::size_t leftovers = 0;        // temp files / staging dirs of interrupted writers
  std::vector<std::string> torn;    // "path: what is wrong", one per bad file
};

ResultCheck check_result_files(const std::filesystem::path& dir);

// The regular files under dir (relative paths), sorted; for "no partial files written" checks.
std::vector<std::string> list_files(const std::filesystem::path& dir);

}  // namespace tpq::testing
