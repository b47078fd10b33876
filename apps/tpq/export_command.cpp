// `tpq export --model DIR_OR_HUB_ID --format onnx --output model.onnx [--opset 17]`: the compressed
// model as a file ONNX Runtime runs, with its tokenizer files beside it.
#include <cstdio>
#include <memory>

#include <spdlog/spdlog.h>

#include "commands.h"
#include "tpq/core/error.h"
#include "tpq/export/onnx_export.h"
#include "tpq/hub/resolve.h"

namespace tpq::cli {

Command add_export_command(CLI::App& app) {
  struct Flags {
    std::string model, format = "onnx", output;
    exporting::OnnxExportOptions options;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* command = app.add_subcommand("export", "Write a model as an ONNX file for ONNX Runtime (tokenizer files beside it)");
  command->add_option("--model", flags->model, "Checkpoint dir (tpq's or HF's) or Hub id")->required();
  command->add_option("--format", flags->format, "Output format: onnx");
  command->add_option("--output", flags->output, "The .onnx file to write (e.g. exported/model.onnx)")->required();
  command->add_option("--opset", flags->options.opset, "ONNX opset (17: LayerNormalization)");
  command->footer("Inputs: input_ids, attention_mask (and token_type_ids for BERT), int64 [batch, sequence]; "
                  "output: logits. FP32 (dense, head/FFN-pruned, unstructured-sparse), FP16, and dynamic or static INT8 "
                  "models; see docs/onnx.md.");
  return [command, flags]() {
    if (!command->parsed()) return -1;
    require(flags->format == "onnx", "--format " + flags->format + ": unknown format; tpq exports onnx");
    const auto model = hub::resolve_model(flags->model);
    const auto result = exporting::export_onnx(model.dir, flags->output, flags->options);
    std::string inputs, copied;
    for (const auto& input : result.inputs) inputs += (inputs.empty() ? "" : ", ") + input;
    for (const auto& file : result.copied_files) copied += (copied.empty() ? "" : ", ") + file;
    spdlog::info("wrote {} ({:.2f} MB, {} model{}; inputs {}; output logits); beside it: {}", result.file.string(),
                 result.bytes / (1024.0 * 1024.0), result.kind,
                 result.kind == "sparse" ? ", " + std::to_string(static_cast<int>(100 * result.zero_fraction)) +
                                               "% zeros stored densely"
                                         : std::string(),
                 inputs, copied.empty() ? "nothing copied" : copied);
    std::printf("%s\n", result.file.c_str());
    return 0;
  };
}

}  // namespace tpq::cli
