// HF checkpoint directories in and out: config.json + model.safetensors + tokenizer files
// (vocab.txt / tokenizer.json / sentencepiece.model). What tpq writes, `transformers` can load.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>

#include "tpq/model/encoder_classifier.h"
#include "tpq/tokenize/tokenizer.h"

namespace tpq::checkpoint {

struct LoadOptions {
  torch::Device device = torch::kCPU;
  // Fine-tuning a pre-trained encoder (e.g. bert-base-uncased): a missing classifier.* is
  // initialised fresh (and reported) instead of being an error.
  bool allow_fresh_classifier = false;
  // Fine-tuning for a task with other labels: the file's classifier.* is not used at all.
  bool discard_classifier = false;
  bool load_tokenizer = true;
};

struct Checkpoint {
  model::EncoderConfig config;
  model::EncoderClassifier model{nullptr};
  std::shared_ptr<tokenize::Tokenizer> tokenizer;  // null if load_tokenizer = false
  std::vector<std::string> freshly_initialised;    // parameter names not found in the file
  std::vector<std::string> ignored;                // file tensors the model does not use (e.g. cls.*)
};

// UserError naming the directory/file/tensor for: missing dir or files, bad config, corrupt
// safetensors, missing or unexpected tensors, shape mismatches.
Checkpoint load_checkpoint(const std::filesystem::path& dir, const LoadOptions& options = {});

// Copies the tensors of `file` into `model`, matching HF names (also accepting checkpoints saved
// from BertModel without the "bert." prefix, and TF-era LayerNorm gamma/beta names).
void load_weights(model::EncoderClassifierImpl& model, const std::filesystem::path& safetensors_path,
                  const LoadOptions& options, std::vector<std::string>* freshly_initialised = nullptr,
                  std::vector<std::string>* ignored = nullptr);

// Writes config.json, model.safetensors and the tokenizer's files. The directory is built under a
// temporary name and renamed into place, so an interrupted save leaves the previous checkpoint.
void save_checkpoint(const std::filesystem::path& dir, model::EncoderClassifierImpl& model,
                     const tokenize::Tokenizer* tokenizer);

// Total bytes of the regular files in a directory (the honest "model size on disk").
uint64_t directory_bytes(const std::filesystem::path& dir);

}  // namespace tpq::checkpoint
