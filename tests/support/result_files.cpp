#include "support/result_files.h"

#include <algorithm>

#include "tpq/core/error.h"
#include "tpq/io/atomic_file.h"
#include "tpq/checkpoint/checkpoint.h"
#include "tpq/io/safetensors.h"
#include "tpq/io/stale_files.h"

namespace tpq::testing {
namespace fs = std::filesystem;
namespace {

bool inside_work_in_progress(const fs::path& relative) {
  for (const auto& part : relative) {
    if (io::is_work_in_progress_name(part.string())) return true;
  }
  return false;
}

// Field count of one CSV line, honouring double quotes.
std::size_t csv_fields(const std::string& line) {
  std::size_t fields = 1;
  bool quoted = false;
  for (const char c : line) {
    if (c == '"') quoted = !quoted;
    if (c == ',' && !quoted) ++fields;
  }
  return fields;
}

std::string check_csv(const std::string& text) {
  if (text.empty() || text.back() != '\n') return "CSV does not end with a newline (truncated)";
  std::size_t expected = 0, start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    const auto fields = csv_fields(text.substr(start, end - start));
    if (expected == 0) expected = fields;
    if (fields != expected) return "CSV row with " + std::to_string(fields) + " fields, header has " + std::to_string(expected);
    start = end + 1;
  }
  return "";
}

std::string check_png(const std::string& bytes) {
  static const std::string kSignature = "\x89PNG\r\n\x1a\n";
  static const std::string kEnd("\x00\x00\x00\x00IEND\xae\x42\x60\x82", 12);
  if (bytes.compare(0, kSignature.size(), kSignature) != 0) return "not a PNG";
  if (bytes.size() < kEnd.size() || bytes.compare(bytes.size() - kEnd.size(), kEnd.size(), kEnd) != 0) {
    return "PNG without its IEND chunk (truncated)";
  }
  return "";
}

// "" when the file is complete, else what is wrong.
std::string check_file(const fs::path& path) {
  try {
    const auto extension = path.extension().string();
    if (extension == ".json") {
      io::read_json_file(path);
    } else if (extension == ".safetensors") {
      io::SafetensorsFile::open(path);
    } else if (extension == ".csv") {
      return check_csv(io::read_file(path));
    } else if (extension == ".png") {
      return check_png(io::read_file(path));
    }
  } catch (const UserError& error) {
    return error.what();
  }
  return "";
}

}  // namespace

ResultCheck check_result_files(const fs::path& dir) {
  ResultCheck check;
  if (!fs::exists(dir)) return check;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    const fs::path relative = fs::relative(entry.path(), dir);
    if (inside_work_in_progress(relative)) {
      if (io::is_work_in_progress_name(entry.path().filename().string())) ++check.leftovers;
      continue;
    }
    if (entry.is_regular_file()) {
      ++check.files_checked;
      if (auto problem = check_file(entry.path()); !problem.empty()) check.torn.push_back(relative.string() + ": " + problem);
    } else if (entry.is_directory() && fs::exists(entry.path() / "config.json") &&
               fs::exists(entry.path() / "model.safetensors")) {
      // A checkpoint dir must load as a whole: config, weights and tokenizer from the same save.
      try {
        checkpoint::load_checkpoint(entry.path());
      } catch (const UserError& error) {
        check.torn.push_back(relative.string() + "/: checkpoint does not load: " + error.what());
      }
    }
  }
  return check;
}

std::vector<std::string> list_files(const fs::path& dir) {
  std::vector<std::string> files;
  if (!fs::exists(dir)) return files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(fs::relative(entry.path(), dir).string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace tpq::testing
