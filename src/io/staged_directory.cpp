#include "tpq/io/staged_directory.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <regex>
#include <vector>

#include <spdlog/spdlog.h>

#include "tpq/core/error.h"
#include "tpq/io/atomic_file.h"

namespace tpq::io {
namespace fs = std::filesystem;
namespace {

bool process_alive(pid_t pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

// rename(2) with a UserError that names both paths (e.g. a full or read-only disk).
void move(const fs::path& from, const fs::path& to) {
  std::error_code error;
  fs::rename(from, to, error);
  if (error) throw UserError("cannot move " + from.string() + " to " + to.string() + ": " + error.message());
}

void move_entry(const fs::path& from, const fs::path& to) {
  std::error_code ignored;
  if (fs::is_directory(to, ignored) && !fs::is_symlink(to, ignored)) {
    const fs::path old = to.string() + ".old-" + std::to_string(::getpid());
    fs::remove_all(old, ignored);
    move(to, old);
    move(from, to);
    fs::remove_all(old, ignored);
  } else {
    move(from, to);  // a file: rename replaces it atomically
  }
}

}  // namespace

fs::path staging_path(const fs::path& target, pid_t pid) {
  const fs::path clean = target.lexically_normal();
  const fs::path name = clean.has_filename() ? clean.filename() : clean.parent_path().filename();
  const fs::path parent = clean.has_filename() ? clean.parent_path() : clean.parent_path().parent_path();
  return parent / (name.string() + ".tpq-run-" + std::to_string(pid));
}

void clean_stale_staging(const fs::path& target) {
  const fs::path probe = staging_path(target, 0);
  const fs::path parent = probe.parent_path().empty() ? fs::path(".") : probe.parent_path();
  const std::string prefix = probe.filename().string().substr(0, probe.filename().string().size() - 1);
  std::error_code error;
  if (!fs::is_directory(parent, error)) return;
  const std::regex pid_suffix("[0-9]{1,9}");
  for (const auto& entry : fs::directory_iterator(parent, error)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0 || !std::regex_match(name.substr(prefix.size()), pid_suffix)) continue;
    if (process_alive(static_cast<pid_t>(std::stol(name.substr(prefix.size()))))) continue;
    std::error_code ignored;
    fs::remove_all(entry.path(), ignored);
    spdlog::info("removed {} (the staging directory of a run that was killed)", entry.path().string());
  }
}

void replace_directory_contents(const fs::path& staging, const fs::path& target, const std::string& last) {
  fs::create_directories(target);
  std::vector<fs::path> entries;
  for (const auto& entry : fs::directory_iterator(staging)) {
    if (entry.path().filename() != last) entries.push_back(entry.path());
  }
  for (const auto& entry : entries) move_entry(entry, target / entry.filename());
  if (fs::exists(staging / last)) move(staging / last, target / last);
  sync_directory(target);
  std::error_code ignored;
  fs::remove_all(staging, ignored);
}

}  // namespace tpq::io
