#include "tpq/eval/predictor.h"

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "tpq/core/error.h"
#include "tpq/io/atomic_file.h"

namespace tpq::eval {

model::ModelInputs collate(const std::vector<const tokenize::Encoding*>& encodings, int64_t pad_id, torch::Device device) {
  require(!encodings.empty(), "collate: empty batch");
  std::size_t longest = 0;
  for (const auto* encoding : encodings) longest = std::max(longest, encoding->input_ids.size());
  const auto batch = static_cast<int64_t>(encodings.size());
  const auto seq_len = static_cast<int64_t>(longest);
  auto ids = torch::full({batch, seq_len}, pad_id, torch::kLong);
  auto types = torch::zeros({batch, seq_len}, torch::kLong);
  auto mask = torch::zeros({batch, seq_len}, torch::kLong);
  auto ids_view = ids.accessor<int64_t, 2>();
  auto types_view = types.accessor<int64_t, 2>();
  auto mask_view = mask.accessor<int64_t, 2>();
  for (int64_t row = 0; row < batch; ++row) {
    const auto& encoding = *encodings[row];
    for (std::size_t col = 0; col < encoding.input_ids.size(); ++col) {
      ids_view[row][col] = encoding.input_ids[col];
      types_view[row][col] = encoding.token_type_ids[col];
      mask_view[row][col] = encoding.attention_mask[col];
    }
  }
  return {ids.to(device), types.to(device), mask.to(device)};
}

void record_truncation(const tokenize::Truncation& cut, model::EncoderConfig& config) {
  if (cut.keep == tokenize::Truncation::Keep::kHead) return;
  config.extra[kTruncationConfigKey] = {{"keep", cut.name()}, {"head_tokens", cut.head_tokens}};
}

tokenize::Truncation recorded_truncation(const model::EncoderConfig& config) {
  const auto found = config.extra.find(kTruncationConfigKey);
  if (found == config.extra.end()) return {};
  const std::string where = std::string("config.json ") + kTruncationConfigKey;
  require(found->is_object() && found->value("keep", nlohmann::json()).is_string() &&
              found->value("head_tokens", nlohmann::json(0)).is_number_integer(),
          where + " must be {\"keep\": \"head\"|\"tail\"|\"head_tail\", \"head_tokens\": N}");
  return tokenize::Truncation::parse((*found)["keep"].get<std::string>(), found->value("head_tokens", int64_t{0}), where);
}

std::vector<Prediction> predict(model::EncoderClassifierImpl& model, const tokenize::Tokenizer& tokenizer,
                                const std::vector<TextInput>& inputs, const PredictOptions& options) {
  const int64_t model_limit = std::min<int64_t>(512, model.config.max_position_embeddings);
  const int64_t max_length = options.max_length > 0 ? options.max_length : model_limit;
  require(max_length <= model.config.max_position_embeddings,
          "--max-length " + std::to_string(max_length) + " exceeds the model's max_position_embeddings (" +
              std::to_string(model.config.max_position_embeddings) + ")");
  require(options.batch_size > 0, "--batch-size must be positive");
  tokenize::EncodeOptions encode_options;
  encode_options.max_length = max_length;
  encode_options.cut = options.cut ? *options.cut : recorded_truncation(model.config);
  encode_options.pad_to_max_length = options.pad_to_max_length;

  std::vector<Prediction> predictions(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    predictions[i].encoding = tokenizer.encode(inputs[i].text, inputs[i].text_pair, encode_options);
  }
  const torch::Device device = model.parameters().front().device();
  torch::NoGradGuard no_grad;
  model.eval();
  for (std::size_t start = 0; start < inputs.size(); start += options.batch_size) {
    const std::size_t end = std::min(inputs.size(), start + static_cast<std::size_t>(options.batch_size));
    std::vector<const tokenize::Encoding*> batch;
    for (std::size_t i = start; i < end; ++i) batch.push_back(&predictions[i].encoding);
    auto logits = model.logits(collate(batch, tokenizer.pad_id(), device)).to(torch::kCPU, torch::kFloat);
    for (std::size_t i = start; i < end; ++i) {
      auto row = logits[static_cast<int64_t>(i - start)].contiguous();
      predictions[i].logits.assign(row.data_ptr<float>(), row.data_ptr<float>() + row.numel());
      predictions[i].label = row.argmax().item<int64_t>();
    }
  }
  return predictions;
}

std::vector<TextInput> read_text_inputs_jsonl(const std::filesystem::path& path) {
  std::ifstream in(path);
  require(static_cast<bool>(in), path.string() + ": cannot open input file");
  std::vector<TextInput> inputs;
  std::string line;
  for (int line_number = 1; std::getline(in, line); ++line_number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = path.string() + ":" + std::to_string(line_number);
    nlohmann::json record;
    try {
      record = nlohmann::json::parse(line);
    } catch (const nlohmann::json::parse_error& error) {
      throw UserError(where + ": not valid JSON (" + std::string(error.what()) + ")");
    }
    require(record.is_object() && record.contains("text") && record["text"].is_string(),
            where + ": expected an object with a string \"text\" (and optional \"text_pair\")");
    TextInput input{record["text"].get<std::string>(), std::nullopt};
    if (record.contains("text_pair") && !record["text_pair"].is_null()) {
      require(record["text_pair"].is_string(), where + ": \"text_pair\" must be a string");
      input.text_pair = record["text_pair"].get<std::string>();
    }
    inputs.push_back(std::move(input));
  }
  require(!inputs.empty(), path.string() + ": no input lines (expected JSONL: {\"text\": \"...\"} per line)");
  return inputs;
}

void write_predictions_jsonl(const std::filesystem::path& path, const std::vector<Prediction>& predictions) {
  std::string contents;
  for (const auto& prediction : predictions) {
    nlohmann::json record = {{"tokens", prediction.encoding.tokens},
                             {"input_ids", prediction.encoding.input_ids},
                             {"logits", prediction.logits},
                             {"label", prediction.label}};
    contents += record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  }
  io::write_file_atomic(path, contents);
}

}  // namespace tpq::eval
