// Inference on raw texts: tokenize, batch with dynamic padding, run the classifier, return
// tokens/ids/logits/label per input. Backs `tpq predict` and the HF conformance tests.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "tpq/model/encoder_classifier.h"
#include "tpq/tokenize/tokenizer.h"

namespace tpq::eval {

struct TextInput {
  std::string text;
  std::optional<std::string> text_pair;
};

struct Prediction {
  tokenize::Encoding encoding;
  std::vector<float> logits;  // (num_labels)
  int64_t label = -1;         // argmax of logits
};

// config.json key under which a checkpoint records a non-default truncation: {"keep", "head_tokens"}.
inline constexpr const char* kTruncationConfigKey = "tpq_truncation";

// Writes a cut other than HF's default into config's extra keys (HF ignores them), so that
// `tpq predict` and the experiments on the saved model cut texts as training did.
void record_truncation(const tokenize::Truncation& cut, model::EncoderConfig& config);
// The cut a checkpoint was trained with (config.json's tpq_truncation), else HF's default (head).
tokenize::Truncation recorded_truncation(const model::EncoderConfig& config);

struct PredictOptions {
  int64_t max_length = 0;          // 0: min(512, max_position_embeddings)
  std::optional<tokenize::Truncation> cut;  // unset: the checkpoint's recorded cut
  bool pad_to_max_length = false;  // HF-style fixed padding (results must not change)
  int64_t batch_size = 32;
};

// Encodings (unpadded or padded) -> model inputs on `device`, padded to the longest in the batch.
model::ModelInputs collate(const std::vector<const tokenize::Encoding*>& encodings, int64_t pad_id, torch::Device device);

std::vector<Prediction> predict(model::EncoderClassifierImpl& model, const tokenize::Tokenizer& tokenizer,
                                const std::vector<TextInput>& inputs, const PredictOptions& options);

// JSONL, one {"text": ..., "text_pair": ...?} per line; UserError naming file and line.
std::vector<TextInput> read_text_inputs_jsonl(const std::filesystem::path& path);

// JSONL, one {"tokens", "input_ids", "logits", "label"} per line, written atomically.
void write_predictions_jsonl(const std::filesystem::path& path, const std::vector<Prediction>& predictions);

}  // namespace tpq::eval
