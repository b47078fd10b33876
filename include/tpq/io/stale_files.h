// Leftovers of writers that were killed (SIGKILL, power loss) before they could clean up: atomic
// write temp files "<name>.tmp.<pid>.<hex>" and checkpoint staging dirs "<dir>.partial-<pid>" /
// "<dir>.old-<pid>". Only those whose pid no longer runs are touched.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

namespace tpq::io {

// True for names the atomic writers and save_checkpoint use for work in progress.
bool is_work_in_progress_name(const std::string& filename);

// In `dir` (and below it if `recursive`; nothing if it does not exist): removes stale temp files and staging
// dirs, except that "<dir>.old-<pid>" is renamed back to "<dir>" when "<dir>" is missing (a save
// killed between its two renames). Returns how many entries it removed or restored.
std::size_t clean_stale_work_files(const std::filesystem::path& dir, bool recursive = true);

}  // namespace tpq::io
