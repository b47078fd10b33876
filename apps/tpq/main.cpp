// tpq — the main command line. Subcommands live in *_command.cpp; errors a user can fix print one
// line and exit 2, anything else exits 3.
#include <vector>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "commands.h"
#include "tpq/core/allocator.h"
#include "tpq/core/blas_core.h"
#include "tpq/core/exit_status.h"
#include "tpq/core/log.h"

int main(int argc, char** argv) {
  tpq::restart_with_matching_openblas_kernels(argv);  // before anything else: a restart repeats nothing
  tpq::tune_allocator();  // before any tensor: large activations are reused, not re-mmapped
  CLI::App app{"tpq: pruning and quantization experiments for BERT text classifiers"};
  app.require_subcommand(1);
  app.fallthrough();  // before the subcommands, which inherit it: `tpq download X --log-level trace` works too
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error, off");
  const std::vector<tpq::cli::Command> commands = {
      tpq::cli::add_predict_command(app), tpq::cli::add_bench_command(app), tpq::cli::add_report_command(app),
      tpq::cli::add_experiments_command(app), tpq::cli::add_download_command(app), tpq::cli::add_merge_parts_command(app),
      tpq::cli::add_export_command(app)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }
  return tpq::run_with_exit_status("tpq", [&] {
    tpq::init_logging(log_level);
    for (const auto& command : commands) {
      const int status = command();
      if (status >= 0) return status;
    }
    return 0;
  });
}
