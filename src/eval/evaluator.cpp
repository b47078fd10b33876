#include "tpq/eval/evaluator.h"

#include <algorithm>
#include <chrono>

#include <torch/torch.h>

#include "tpq/core/error.h"
#include "tpq/data/batching.h"
#include "tpq/dist/data_parallel.h"
#include "tpq/dist/process_group.h"

namespace tpq::eval {

namespace {

// The shard's predictions (others stay -1) and summed loss, summed over ranks: every example is
// predicted by exactly one rank, so prediction + 1 sums to the one rank's value.
double gather_predictions(dist::ProcessGroup& group, std::vector<int64_t>& predictions, double loss_sum) {
  std::vector<at::Tensor> parts{torch::tensor(predictions, torch::kLong).add_(1), torch::tensor({loss_sum}, torch::kDouble)};
  group.all_reduce_sum(parts);
  const auto gathered = parts[0].sub_(1);
  std::copy_n(gathered.data_ptr<int64_t>(), predictions.size(), predictions.begin());
  return parts[1].item<double>();
}

}  // namespace

EvaluationResult evaluate(model::EncoderClassifierImpl& model, const data::TokenizedSplit& split,
                          int64_t num_labels, int64_t batch_size, torch::Device device, dist::ProcessGroup* group) {
  require(split.size() > 0, "evaluation split is empty");
  const auto start = std::chrono::steady_clock::now();
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  EvaluationResult result;
  result.predictions.assign(split.size(), -1);
  double loss_sum = 0;
  const std::size_t rank = dist::rank_of(group), world = dist::world_size_of(group);
  data::BatchIterator batches = data::make_batches(split, batch_size, /*shuffle=*/false, /*seed=*/0,
                                                   /*sort_by_length_buckets=*/true, device, data::kTrainingPadMultiple);
  for (std::size_t index = rank; index < batches.num_batches(); index += world) {
    const auto batch = batches.batch(index);
    auto logits = model.logits({batch.input_ids, batch.token_type_ids, batch.attention_mask}).to(torch::kFloat);
    loss_sum += torch::nn::functional::cross_entropy(
                    logits, batch.labels, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                    .item<double>();
    auto predicted = logits.argmax(1).to(torch::kCPU);
    auto predicted_view = predicted.accessor<int64_t, 1>();
    for (std::size_t row = 0; row < batch.example_indices.size(); ++row) {
      result.predictions[batch.example_indices[row]] = predicted_view[row];
    }
  }
  if (world > 1) loss_sum = gather_predictions(*group, result.predictions, loss_sum);
  if (was_training) model.train();
  result.metrics = compute_metrics(result.predictions, split.labels, num_labels, loss_sum / split.size());
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace tpq::eval
