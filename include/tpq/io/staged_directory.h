// A directory written in full beside its destination, then published into it: what a reader of the
// destination sees is the old contents or the new, never a mix left by a failed writer.
#pragma once

#include <filesystem>
#include <string>

#include <sys/types.h>

namespace tpq::io {

// "<parent>/<name>.tpq-run-<pid>": where process `pid` stages the contents of `target`.
std::filesystem::path staging_path(const std::filesystem::path& target, pid_t pid);

// Removes "<target>.tpq-run-<pid>" directories whose pid no longer runs (killed writers).
void clean_stale_staging(const std::filesystem::path& target);

// Moves every entry of `staging` into `target` (created if missing), replacing entries of the same
// name and leaving others alone; `last` (e.g. "metrics.json", the completion marker) moves last.
// `staging` is removed afterwards. A replaced subdirectory is first renamed to "<name>.old-<pid>",
// which clean_stale_work_files() restores if the process dies before the new one is in place.
void replace_directory_contents(const std::filesystem::path& staging, const std::filesystem::path& target,
                                const std::string& last);

}  // namespace tpq::io
