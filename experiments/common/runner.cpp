#include "runner.h"

#include <chrono>
#include <cstdio>
#include <optional>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "tpq/core/allocator.h"
#include "tpq/core/device.h"
#include "tpq/core/error.h"
#include "tpq/core/log.h"
#include "tpq/core/runtime_info.h"
#include "tpq/io/stale_files.h"

namespace tpq::experiments {
int run_experiment(int argc, char** argv, const ExperimentSpec& spec) {
  tune_allocator();  // before any tensor: large activations are reused, not re-mmapped
  CLI::App app{spec.description, spec.program};
  std::string config_file, profile = "default", output_dir, device, log_level = "info";
  std::optional<int64_t> seed;
  std::optional<int> threads;
  bool allow_slow_blas = false;
  app.add_option("--config", config_file, "YAML file layered over the profile");
  app.add_option("--profile", profile, "configs/profiles/<name>.yaml: quick, default or full")->capture_default_str();
  app.add_option("--output_dir,--output-dir", output_dir, "Results directory (default results/" + spec.results_subdir + ")");
  app.add_option("--device", device, "cpu, cuda, cuda:N or auto (overrides run.device)");
  app.add_option("--seed", seed, "Random seed (overrides run.seed)");
  app.add_option("--threads", threads, "CPU threads (overrides run.threads; 0 = LibTorch default)");
  app.add_flag("--allow-slow-blas", allow_slow_blas, "Measure even on the reference BLAS (timings will be wrong)");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error, off");
  std::vector<std::string> scalar_values(spec.flags.size());
  std::vector<std::vector<std::string>> list_values(spec.flags.size());
  std::vector<CLI::Option*> options;
  for (std::size_t i = 0; i < spec.flags.size(); ++i) {
    const auto& flag = spec.flags[i];
    const std::string help = flag.help + " [" + flag.config_key + "]";
    options.push_back(flag.list ? app.add_option(flag.names, list_values[i], help)->expected(1, -1)
                                : app.add_option(flag.names, scalar_values[i], help));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }

  try {
    init_logging(log_level);
    ConfigTree tree = ConfigTree::from_yaml_file(pipeline::profile_path(profile));
    if (!config_file.empty()) tree.merge(ConfigTree::from_yaml_file(config_file));
    for (std::size_t i = 0; i < spec.flags.size(); ++i) {
      if (options[i]->count() == 0) continue;
      const std::string origin = options[i]->get_name();
      if (spec.flags[i].list) {
        nlohmann::json values = nlohmann::json::array();
        for (const auto& value : list_values[i]) values.push_back(typed_scalar(value));
        tree.set(spec.flags[i].config_key, values, origin);
      } else {
        tree.set(spec.flags[i].config_key, typed_scalar(scalar_values[i]), origin);
      }
    }
    if (seed) tree.set("run.seed", *seed, "--seed");
    if (threads) tree.set("run.threads", *threads, "--threads");
    if (!device.empty()) tree.set("run.device", device, "--device");
    const auto config = pipeline::ExperimentConfig::from(tree, spec.extra_sections);

    set_threads(config.run.threads);
    const torch::Device torch_device = parse_device(config.run.device);
    check_blas(spec.measures_speed && torch_device.is_cpu(), allow_slow_blas);
    const std::filesystem::path results_dir = output_dir.empty() ? std::filesystem::path("results") / spec.results_subdir
                                                                 : std::filesystem::path(output_dir);
    spdlog::info("{}: profile {}, device {}, {} thread(s), seed {}, results in {}", spec.program, profile,
                 torch_device.str(), at::get_num_threads(), config.run.seed, results_dir.string());
    const auto start = std::chrono::steady_clock::now();
    io::clean_stale_work_files(results_dir);  // temp files of an earlier run that was killed
    spec.run(config, results_dir, torch_device);
    spdlog::info("{} finished in {:.0f} s", spec.program,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return 0;
  } catch (const UserError& error) {
    std::fprintf(stderr, "%s: error: %s\n", spec.program.c_str(), error.what());
    return 2;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "%s: internal error (please report): %s\n", spec.program.c_str(), error.what());
    return 3;
  }
}

}  // namespace tpq::experiments
