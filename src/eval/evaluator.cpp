#include "tpq/eval/evaluator.h"

#include <chrono>

#include <torch/torch.h>

#include "tpq/core/error.h"
#include "tpq/data/batching.h"

namespace tpq::eval {

EvaluationResult evaluate(model::EncoderClassifierImpl& model, const data::TokenizedSplit& split,
                          int64_t num_labels, int64_t batch_size, torch::Device device) {
  require(split.size() > 0, "evaluation split is empty");
  const auto start = std::chrono::steady_clock::now();
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  EvaluationResult result;
  result.predictions.assign(split.size(), -1);
  double loss_sum = 0;
  data::BatchIterator batches = data::make_batches(split, batch_size, /*shuffle=*/false, /*seed=*/0,
                                                   /*sort_by_length_buckets=*/true, device);
  data::Batch batch;
  while (batches.next(batch)) {
    auto logits = model.forward({batch.input_ids, batch.token_type_ids, batch.attention_mask}).logits.to(torch::kFloat);
    loss_sum += torch::nn::functional::cross_entropy(
                    logits, batch.labels, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                    .item<double>();
    auto predicted = logits.argmax(1).to(torch::kCPU);
    auto predicted_view = predicted.accessor<int64_t, 1>();
    for (std::size_t row = 0; row < batch.example_indices.size(); ++row) {
      result.predictions[batch.example_indices[row]] = predicted_view[row];
    }
  }
  if (was_training) model.train();
  result.metrics = compute_metrics(result.predictions, split.labels, num_labels, loss_sum / split.size());
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace tpq::eval
