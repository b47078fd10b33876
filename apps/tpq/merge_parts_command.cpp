// `tpq merge-parts --output DIR PART...`: the parts of a sparsity sweep (07 run once per sparsity,
// e.g. as Slurm array elements by run_all.sh --slurm --sparsity-sweep) as one experiment result.
#include <cstdio>
#include <memory>

#include <spdlog/spdlog.h>

#include "commands.h"
#include "tpq/pipeline/sweep_parts.h"

namespace tpq::cli {

Command add_merge_parts_command(CLI::App& app) {
  struct Flags {
    std::vector<std::string> parts;
    std::string output;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* command = app.add_subcommand(
      "merge-parts", "Merge the parts of a sparsity sweep (07 run once per sparsity) into one result directory");
  command->add_option("parts", flags->parts, "Part directories, each with the metrics.json of one 07 run")->required();
  command->add_option("--output", flags->output, "Result directory to write (e.g. results/unstructured_pruning)")->required();
  command->footer("The parts must come from one configuration and differ only in pruning.sparsities. "
                  "run_all.sh --slurm --sparsity-sweep runs this in its last job.");
  return [command, flags]() {
    if (!command->parsed()) return -1;
    std::vector<std::filesystem::path> parts(flags->parts.begin(), flags->parts.end());
    const auto merged = pipeline::merge_sparsity_parts(parts, flags->output);
    spdlog::info("merged {} pruned rows from {} parts into {} (headline row {})", merged.rows, merged.parts,
                 flags->output, merged.primary_variant);
    return 0;
  };
}

}  // namespace tpq::cli
