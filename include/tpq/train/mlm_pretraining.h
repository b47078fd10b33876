// Masked-language-model pre-training of a from-scratch encoder on the training texts (no labels),
// before fine-tuning: BERT's recipe (15% of tokens; 80% [MASK], 10% random, 10% kept) with HF's
// MLM head (transform dense + GELU + LayerNorm, decoder tied to the word embeddings).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "tpq/data/tokenized_split.h"
#include "tpq/model/encoder_classifier.h"
#include "tpq/train/training_state.h"

namespace tpq::dist {
class ProcessGroup;
}

namespace tpq::train {

// HF BertLMPredictionHead ("cls.predictions.*"); the decoder weight is the word embedding matrix.
class MlmHeadImpl : public torch::nn::Module {
 public:
  explicit MlmHeadImpl(const model::EncoderConfig& config);
  // hidden (N, H) of masked positions -> dense + GELU + LayerNorm (N, H), the decoder's input
  torch::Tensor transform(const torch::Tensor& hidden);
  // hidden (N, H) of masked positions, word_embeddings (V, H) -> logits (N, V)
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& word_embeddings);

  model::Linear dense{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  torch::Tensor bias;  // (V)
};
TORCH_MODULE(MlmHead);

struct MlmConfig {
  int64_t epochs = 0;  // 0: no pre-training
  double learning_rate = 5e-4;
  double mask_probability = 0.15;
  int64_t batch_size = 32;
  double warmup_ratio = 0.06;
  double weight_decay = 0.01;
  std::string amp = "none";  // autocast for the forward pass, as training.amp
};

struct SpecialIds {
  int64_t pad = 0, cls = 0, sep = 0, mask = 0;
  int64_t first_regular = 0;  // random replacements are drawn from [first_regular, vocab)
};

// BERT masking of a batch. input_ids (B, T) -> {masked input_ids (B, T), labels (B, T) with -100
// where nothing is predicted}. Special tokens and padding are never masked. Uses `generator`.
std::pair<torch::Tensor, torch::Tensor> mask_tokens(const torch::Tensor& input_ids, const SpecialIds& special,
                                                    int64_t vocab_size, double mask_probability, torch::Generator& generator);

// The MLM loss of one batch: hidden (B, T, H) from the encoder, labels (B, T) with -100 where nothing
// is predicted. Only the labelled positions (~15%) go through the transform and the vocabulary-sized
// decoder, so the (B, T, V) logits of every position are never made; the loss equals the
// all-positions cross-entropy with ignore_index -100.
torch::Tensor masked_lm_loss(MlmHeadImpl& head, const torch::Tensor& hidden, const torch::Tensor& labels,
                             const torch::Tensor& word_embeddings);

// Each sequence's labelled positions, for encode_at: positions (B, M) int64 in increasing order, M
// the most any one sequence has, and the labels there (B, M), -100 in slots past a sequence's own count.
struct MaskedPositions {
  torch::Tensor positions;
  torch::Tensor labels;
};
MaskedPositions masked_positions(const torch::Tensor& labels);

// The MLM loss of a masked batch with the encoder's last layer on the labelled positions alone
// (encode_at): no prediction reads the other rows, so their query, attention rows, output projection
// and FFN in that layer are skipped. The loss equals masked_lm_loss on encode's output.
torch::Tensor mlm_batch_loss(model::EncoderClassifierImpl& model, MlmHeadImpl& head, const model::ModelInputs& masked,
                             const torch::Tensor& labels);

struct MlmResult {
  std::vector<double> epoch_losses;
  double seconds = 0;
  int64_t steps = 0;
};

// Pre-trains the base model (model.base: embeddings, encoder, pooler) in place (the classifier head is untouched).
// With a process group of several ranks it trains data-parallel as the Trainer does (rank 0's
// weights, a slice of each global batch per rank, gradients averaged before clipping); each rank
// masks its own slice with a generator seeded for that batch (seed, rank, epoch, batch).
// With `resume` it snapshots every resume.every_steps steps and at each epoch end, and continues
// from the newest snapshot (that of the last epoch's end returns at once with its result).
MlmResult pretrain_mlm(model::EncoderClassifierImpl& model, const data::TokenizedSplit& texts,
                       const SpecialIds& special, const MlmConfig& config, torch::Device device, uint64_t seed,
                       dist::ProcessGroup* group = nullptr, const ResumeOptions& resume = {});

}  // namespace tpq::train
