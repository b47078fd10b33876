// Subcommands of the `tpq` CLI. Each registers its flags on the app and returns the callback
// that runs it; all work happens in libtpq.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace tpq::cli {

using Command = std::function<int()>;

Command add_predict_command(CLI::App& app);
Command add_bench_command(CLI::App& app);
Command add_report_command(CLI::App& app);
Command add_experiments_command(CLI::App& app);
Command add_download_command(CLI::App& app);
Command add_merge_parts_command(CLI::App& app);
Command add_export_command(CLI::App& app);

}  // namespace tpq::cli
