// `tpq predict`: classify JSONL texts with an HF-format checkpoint.
#include <memory>

#include <spdlog/spdlog.h>

#include "commands.h"
#include "tpq/core/device.h"
#include "tpq/core/runtime_info.h"
#include "tpq/eval/predictor.h"
#include "tpq/checkpoint/checkpoint.h"
#include "tpq/hub/resolve.h"

namespace tpq::cli {

Command add_predict_command(CLI::App& app) {
  struct Flags {
    std::string model_dir, input, output, device = "cpu";
    eval::PredictOptions options;
    std::string truncation;
    int64_t head_tokens = tokenize::Truncation::kDefaultHeadTokens;
    int threads = 0;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* command = app.add_subcommand("predict", "Classify texts from a JSONL file with an HF-format checkpoint");
  command->add_option("--model", flags->model_dir, "Checkpoint dir (config.json, model.safetensors, vocab) or Hub id")->required();
  command->add_option("--input", flags->input, "JSONL input: {\"text\": ..., \"text_pair\": ...?} per line")->required();
  command->add_option("--output", flags->output, "JSONL output: tokens, input_ids, logits, label per line")->required();
  command->add_option("--max-length,--max_length", flags->options.max_length, "Truncate to N tokens (default: model limit)")
      ->check(CLI::NonNegativeNumber);
  command->add_option("--truncation", flags->truncation,
                      "Pieces kept of a long text: head, tail or head_tail (default: as the model was trained)");
  command->add_option("--head-tokens,--head_tokens", flags->head_tokens, "head_tail: pieces kept from the start")
      ->check(CLI::NonNegativeNumber);
  command->add_flag("--pad-to-max-length", flags->options.pad_to_max_length, "Pad every input to --max-length");
  command->add_option("--batch-size,--batch_size", flags->options.batch_size, "Inputs per forward pass")
      ->check(CLI::PositiveNumber);
  command->add_option("--device", flags->device, "cpu, cuda, cuda:N or auto");
  command->add_option("--threads", flags->threads, "CPU threads (0: LibTorch default)");

  return [command, flags]() {
    if (!command->parsed()) return -1;
    set_threads(flags->threads);
    if (!flags->truncation.empty()) {
      flags->options.cut = tokenize::Truncation::parse(flags->truncation, flags->head_tokens, "--truncation");
    }
    check_blas(/*refuse_slow_blas=*/false, /*allow_slow_blas=*/true);
    checkpoint::LoadOptions load_options;
    load_options.device = parse_device(flags->device);
    const auto model = hub::resolve_model(flags->model_dir);  // a directory, or a Hub id (cache, then download)
    checkpoint::Checkpoint checkpoint = checkpoint::load_checkpoint(model.dir, load_options);
    const auto inputs = eval::read_text_inputs_jsonl(flags->input);
    const auto predictions = eval::predict(*checkpoint.model, *checkpoint.tokenizer, inputs, flags->options);
    eval::write_predictions_jsonl(flags->output, predictions);
    spdlog::info("wrote {} predictions to {}", predictions.size(), flags->output);
    return 0;
  };
}

}  // namespace tpq::cli
