// Finds and clears what killed writers leave behind (see stale_files.h). A name is stale when the
// pid it carries is not a running process; pids of live writers (this one included) are left alone.
#include "tpq/io/stale_files.h"

#include <signal.h>
#include <sys/types.h>

#include <cerrno>
#include <optional>
#include <regex>
#include <vector>

#include <spdlog/spdlog.h>

namespace tpq::io {
namespace fs = std::filesystem;
namespace {

// "<name>.tmp.<pid>.<hex>" (AtomicFileWriter), "<dir>.partial-<pid>" / "<dir>.old-<pid>" (save_checkpoint).
const std::regex kTempFile(R"((.+)\.tmp\.([0-9]+)\.[0-9a-f]+)");
const std::regex kStagingDir(R"((.+)\.(partial|old)-([0-9]+))");

// Digits of a file name, not trusted: out-of-range values count as no process (kill(-1) must never happen).
bool process_alive(const std::string& digits) {
  if (digits.empty() || digits.size() > 9) return false;
  const auto pid = static_cast<pid_t>(std::stol(digits));
  return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM);
}

}  // namespace

bool is_work_in_progress_name(const std::string& filename) {
  return std::regex_match(filename, kTempFile) || std::regex_match(filename, kStagingDir);
}

std::size_t clean_stale_work_files(const fs::path& dir, bool recursive) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) return 0;
  std::vector<fs::directory_entry> entries;
  for (auto it = fs::recursive_directory_iterator(dir, error); !error && it != fs::recursive_directory_iterator();
       it.increment(error)) {
    entries.push_back(*it);
    if (!recursive) it.disable_recursion_pending();
  }
  std::size_t cleaned = 0;
  for (const auto& entry : entries) {
    const std::string name = entry.path().filename().string();
    std::smatch match;
    std::error_code ignored;
    if (std::regex_match(name, match, kTempFile) && entry.is_regular_file(ignored)) {
      if (process_alive(match[2].str())) continue;
      cleaned += fs::remove(entry.path(), ignored) ? 1 : 0;
    } else if (std::regex_match(name, match, kStagingDir) && entry.is_directory(ignored)) {
      if (!fs::exists(entry.path(), ignored) || process_alive(match[3].str())) continue;
      const fs::path target = entry.path().parent_path() / match[1].str();
      if (match[2] == "old" && !fs::exists(target, ignored)) {
        fs::rename(entry.path(), target, ignored);  // the previous checkpoint, never replaced: restore it
      } else {
        fs::remove_all(entry.path(), ignored);
      }
      cleaned += ignored ? 0 : 1;
    }
  }
  if (cleaned > 0) spdlog::info("cleared {} leftover(s) of interrupted writes under {}", cleaned, dir.string());
  return cleaned;
}

}  // namespace tpq::io
