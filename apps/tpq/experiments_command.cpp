// `tpq experiments --list`: the experiment catalogue, one tab-separated line per experiment in run
// order (number, program, results directory, cpu-only, compares variants, title), for run_all.sh
// and other scripts, so that no script keeps its own copy of the list.
#include <cstdio>
#include <memory>

#include "commands.h"
#include "tpq/results/experiment_catalogue.h"

namespace tpq::cli {

Command add_experiments_command(CLI::App& app) {
  auto list = std::make_shared<bool>(false);
  CLI::App* command = app.add_subcommand("experiments", "The numbered experiments, in run order");
  command->add_flag("--list", *list, "Print number, program, results dir, cpu-only, compares-variants, title (TSV)");
  return [command, list]() {
    if (!command->parsed()) return -1;
    for (const auto& entry : results::experiment_catalogue()) {
      std::printf("%02d\t%s\t%s\t%s\t%s\t%s\n", entry.number, entry.program.c_str(), entry.results_dir.c_str(),
                  entry.cpu_only() ? "cpu" : "any", entry.compares_variants ? "variants" : "-", entry.title_en.c_str());
    }
    return 0;
  };
}

}  // namespace tpq::cli
