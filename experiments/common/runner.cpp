#include "runner.h"

#include <optional>
#include <regex>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "tpq/core/allocator.h"
#include "tpq/core/blas_core.h"
#include "tpq/core/device.h"
#include "tpq/core/error.h"
#include "tpq/core/exit_status.h"
#include "tpq/core/log.h"
#include "tpq/core/runtime_info.h"
#include "tpq/dist/launch_env.h"
#include "tpq/pipeline/experiment.h"
#include "tpq/pipeline/guide_config.h"
#include "tpq/results/chart_text.h"

namespace tpq::experiments {
namespace {

namespace fs = std::filesystem;

struct CommonFlags {
  std::string config_file, profile = "default", output_dir, device, log_level = "info";
  std::optional<int64_t> seed;
  std::optional<int> threads;
  bool allow_slow_blas = false;
  bool resume = false;
};

struct ExperimentFlags {
  std::vector<std::string> scalars;
  std::vector<std::vector<std::string>> lists;
  std::vector<CLI::Option*> options;
};

// The value of `--name VALUE` / `--name=VALUE` in argv, before CLI11 parses it (for help texts).
std::string prescan(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == name && i + 1 < argc) return argv[i + 1];
    if (arg.rfind(name + "=", 0) == 0) return arg.substr(name.size() + 1);
  }
  return fallback;
}

// The values the profile (and --config) on the command line set, for --help: defaults are the
// profile's, so help shows those instead of numbers of its own. Empty when they cannot be read
// (the real run reports that error).
struct HelpValues {
  std::string source;  // "profile quick" or "profile quick + my.yaml"
  nlohmann::json values = nlohmann::json::object();
};

HelpValues help_values(int argc, char** argv) {
  HelpValues help;
  try {
    const std::string profile = prescan(argc, argv, "--profile", "default");
    ConfigTree tree = ConfigTree::from_yaml_file(pipeline::profile_path(profile));
    const std::string config = prescan(argc, argv, "--config", "");
    if (!config.empty()) {
      auto file = ConfigTree::from_yaml_file(config);
      pipeline::translate_guide_keys(file);
      tree.merge(file);
    }
    help.source = "profile " + profile + (config.empty() ? "" : " + " + config);
    help.values = tree.json();
  } catch (const std::exception&) {
  }
  return help;
}

std::string flag_help(const pipeline::ConfigFlag& flag, const HelpValues& help) {
  const auto pointer = nlohmann::json::json_pointer("/" + std::regex_replace(flag.config_key, std::regex("\\."), "/"));
  if (!help.values.contains(pointer)) return flag.help + " [" + flag.config_key + "]";
  return flag.help + " [" + flag.config_key + " = " + help.values.at(pointer).dump() + " in " + help.source + "]";
}

void add_common_flags(CLI::App& app, CommonFlags& flags, const std::string& results_dir) {
  app.add_option("--config", flags.config_file, "YAML file layered over the profile");
  app.add_option("--profile", flags.profile, "configs/profiles/<name>.yaml: quick, default or full")->capture_default_str();
  app.add_option("--output_dir,--output-dir", flags.output_dir, "Results directory (default results/" + results_dir + ")");
  app.add_option("--device", flags.device, "cpu, cuda, cuda:N or auto (overrides run.device)");
  app.add_option("--seed", flags.seed, "Random seed (overrides run.seed)");
  app.add_option("--threads", flags.threads, "CPU threads (overrides run.threads; 0 = LibTorch default)");
  app.add_flag("--allow-slow-blas", flags.allow_slow_blas, "Measure even on the reference BLAS (timings will be wrong)");
  app.add_option("--log-level", flags.log_level, "trace, debug, info, warn, error, off");
  app.add_flag("--resume", flags.resume,
               "Continue an interrupted training from its newest snapshot (01; others simply run again)");
}

void add_experiment_flags(CLI::App& app, const std::vector<pipeline::ConfigFlag>& specs, const HelpValues& values,
                          ExperimentFlags& flags) {
  flags.scalars.resize(specs.size());
  flags.lists.resize(specs.size());
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const std::string help = flag_help(specs[i], values);
    flags.options.push_back(specs[i].list ? app.add_option(specs[i].names, flags.lists[i], help)->expected(1, -1)
                                          : app.add_option(specs[i].names, flags.scalars[i], help));
  }
}

// Profile, then --config, then each flag given on the command line.
ConfigTree layered_config(const CommonFlags& common, const std::vector<pipeline::ConfigFlag>& specs,
                          const ExperimentFlags& flags) {
  ConfigTree tree = ConfigTree::from_yaml_file(pipeline::profile_path(common.profile));
  if (!common.config_file.empty()) {
    // The course guide's config files use other keys (pipeline/guide_config.h).
    auto file = ConfigTree::from_yaml_file(common.config_file);
    for (const auto& warning : pipeline::translate_guide_keys(file)) spdlog::warn("{}", warning);
    tree.merge(file);
  }
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (flags.options[i]->count() == 0) continue;
    const std::string origin = flags.options[i]->get_name();
    if (specs[i].list) {
      nlohmann::json values = nlohmann::json::array();
      for (const auto& value : flags.lists[i]) values.push_back(typed_scalar(value));
      tree.set(specs[i].config_key, values, origin);
    } else {
      tree.set(specs[i].config_key, typed_scalar(flags.scalars[i]), origin);
    }
  }
  if (common.seed) tree.set("run.seed", *common.seed, "--seed");
  if (common.threads) tree.set("run.threads", *common.threads, "--threads");
  if (!common.device.empty()) tree.set("run.device", common.device, "--device");
  return tree;
}

// Experiments that do not train data-parallel would have N copies race on one results directory:
// a job of several processes is stopped before any work.
void require_data_parallel_support(const dist::LaunchEnv& launch, const pipeline::ExperimentDefinition& definition,
                                   const std::string& program) {
  require(!launch.distributed() || definition.data_parallel,
          launch.launcher + " started this as rank " + std::to_string(launch.rank) + " of " + std::to_string(launch.world_size) +
              " processes, but " + program + " does not train data-parallel (01, 04 and 06-09 do): start one process "
              "(without torchrun / srun / mpirun, or with 1 task)");
}

// Options first (nothing loaded or written yet), then the run in its staging directory, then publish.
void run_checked(const results::ExperimentEntry& entry, const pipeline::ExperimentDefinition& definition,
                 const CommonFlags& common, const pipeline::ExperimentConfig& config) {
  const auto launch = dist::read_launch_env();
  require_data_parallel_support(launch, definition, entry.program);
  set_threads(config.run.threads);
  results::chart_style();  // decided now: a bad TPQ_CHART_LANG fails before the training, not at its chart
  const torch::Device device = parse_device(config.run.device);
  check_blas(definition.measures_speed && device.is_cpu(), common.allow_slow_blas);
  const fs::path results_dir = common.output_dir.empty() ? fs::path("results") / entry.results_dir : fs::path(common.output_dir);
  require(!common.resume || definition.resumable,
          "--resume: " + entry.program + " keeps no training snapshots (01_baseline_training does); run it without --resume");
  auto experiment = definition.make();
  experiment->read_options(config);
  pipeline::ExperimentRun run(entry, config, results_dir, device);
  run.set_resume(common.resume);
  if (launch.distributed()) run.join_job(launch);
  spdlog::info("{}: profile {}, device {}, {} thread(s), seed {}, results in {}", entry.program, common.profile,
               device.str(), at::get_num_threads(), config.run.seed, results_dir.string());
  experiment->run(run);
  if (run.is_rank_zero()) run.publish();  // the other ranks' staging directories go with them
}

}  // namespace

int run_experiment(int argc, char** argv, results::ExperimentId id) {
  restart_with_matching_openblas_kernels(argv);  // before anything else: a restart repeats nothing
  tune_allocator();  // before any tensor: large activations are reused, not re-mmapped
  const auto& entry = results::catalogue_entry(id);
  const auto& definition = pipeline::experiment_definition(id);
  CLI::App app{definition.description, entry.program};
  CommonFlags common;
  ExperimentFlags flags;
  add_common_flags(app, common, entry.results_dir);
  add_experiment_flags(app, definition.flags, help_values(argc, argv), flags);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }
  return run_with_exit_status(entry.program, [&] {
    init_logging(common.log_level);
    const auto tree = layered_config(common, definition.flags, flags);
    run_checked(entry, definition, common, pipeline::ExperimentConfig::from(tree, definition.extra_sections));
    return 0;
  });
}

}  // namespace tpq::experiments
