// `tpq bench`: side-by-side encoder inference timings of FP32 / BF16 / INT8 variants.
#include <cstdio>
#include <memory>

#include <spdlog/spdlog.h>

#include "commands.h"
#include "tpq/core/device.h"
#include "tpq/core/runtime_info.h"
#include "tpq/io/atomic_file.h"
#include "tpq/pipeline/bench.h"

namespace tpq::cli {

Command add_bench_command(CLI::App& app) {
  struct Flags {
    pipeline::BenchOptions options;
    std::string model_dir, output, device = "cpu";
    int threads = 0;
    bool allow_slow_blas = false;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* command = app.add_subcommand("bench", "Time encoder inference of model variants side by side");
  command->add_option("--shape", flags->options.shape, "bert-base, bert-small or tiny (random weights)")->capture_default_str();
  command->add_option("--family", flags->options.family, "Encoder family of the random shape: bert, distilbert, roberta")
      ->capture_default_str();
  command->add_option("--model", flags->model_dir, "A trained checkpoint instead of a random shape");
  command->add_option("--batch-sizes", flags->options.batch_sizes, "Batch sizes")->expected(1, -1);
  command->add_option("--seq-lens", flags->options.sequence_lengths, "Sequence lengths")->expected(1, -1);
  command->add_option("--variants", flags->options.variants, "fp32 bf16 fp16 int8_dynamic int8_dynamic_per_tensor int8_static pruned_50_50 pruned_50_50_int8")->expected(1, -1);
  command->add_option("--warmup", flags->options.warmup, "Untimed runs per configuration")->capture_default_str();
  command->add_option("--trials", flags->options.trials, "Timed rounds per batch size and length; each round runs every variant once (>= 6 for a 95% interval)")->capture_default_str();
  command->add_option("--output", flags->output, "Write the report as JSON here");
  command->add_option("--save-models", flags->options.save_models_dir,
                      "Also save each variant's model as a checkpoint in DIR/<variant> (to time it elsewhere)");
  command->add_option("--device", flags->device, "cpu, cuda, cuda:N");
  command->add_option("--threads", flags->threads, "CPU threads (0: LibTorch default)");
  command->add_flag("--allow-slow-blas", flags->allow_slow_blas, "Time even on the reference BLAS");

  return [command, flags]() {
    if (!command->parsed()) return -1;
    set_threads(flags->threads);
    const auto device = parse_device(flags->device);
    check_blas(device.is_cpu(), flags->allow_slow_blas);
    flags->options.model_dir = flags->model_dir;
    const auto report = pipeline::run_bench(flags->options, device);
    std::printf("%s", report.to_markdown().c_str());
    if (!flags->output.empty()) io::write_json_atomic(flags->output, report.to_json());
    return 0;
  };
}

}  // namespace tpq::cli
