// One training step (forward and backward under bf16 autocast, dropout on) of the default profile's
// encoder, L4 H256 A4 I1024 with a 16 000-piece vocabulary, at batch 32, timed for three variants
// alternated in one process so the VM's drift hits each alike:
//   separate     softmax, mask add and CounterDropout as separate ops; glibc's mmap for large blocks
//   fused        the fused softmax-dropout node (model/softmax_dropout.h)
//   fused+cache  and freed large blocks parked for reuse (core/large_block_cache.h)
//   +add-norm    and residual add + LayerNorm as one node with the bf16 copy (model/add_layer_norm.h)
// With --objective mlm it times MLM steps instead (15 % of the tokens masked, the MLM head and loss), for two variants:
//   all rows     the last layer on every position, then the masked rows gathered (encode + masked_lm_loss)
//   masked rows  the last layer on the masked rows alone (mlm_batch_loss, what pre-training runs)
// Each round runs every variant (in rotated order) for --steps steps in a fresh TrainingAllocatorScope and times the
// last ones (the first fills the cache, as the first batches of an epoch do).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <tuple>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/autocast_mode.h>
#include <CLI/CLI.hpp>
#include <torch/torch.h>

#include "tpq/core/allocator.h"
#include "tpq/model/add_layer_norm.h"
#include "tpq/model/encoder_classifier.h"
#include "tpq/model/softmax_dropout.h"
#include "tpq/train/mlm_pretraining.h"

namespace {

struct Variant {
  std::string name;
  bool fused;
  size_t cache_bytes;
  bool add_norm;
  bool masked_rows = false;  // MLM: the last layer on the masked rows alone
};

// What a step trains on: the classifier's logits, or the masked-LM loss.
struct Objective {
  bool mlm = false;
  tpq::train::MlmHead head{nullptr};
  torch::Tensor labels;  // MLM labels, -100 where nothing is predicted
};

tpq::model::EncoderConfig default_profile_encoder() {
  tpq::model::EncoderConfig config;
  config.vocab_size = 16000;
  config.hidden_size = 256;
  config.num_hidden_layers = 4;
  config.num_attention_heads = 4;
  config.intermediate_size = 1024;
  config.max_position_embeddings = 512;
  return config;
}

// A batch like a length bucket's: every row as long as the longest, the last quarter padded by 10 %.
tpq::model::ModelInputs batch_of(int64_t batch, int64_t length) {
  auto mask = torch::ones({batch, length}, torch::kLong);
  mask.index_put_({torch::indexing::Slice(batch * 3 / 4), torch::indexing::Slice(length * 9 / 10)}, 0);
  return {torch::randint(5, 16000, {batch, length}, torch::kLong), torch::zeros({batch, length}, torch::kLong), mask};
}

// The batch's masking (BERT's rule, 15 %) and the MLM head, made once so every variant trains on the same labels.
Objective mlm_objective(const tpq::model::EncoderClassifier& model, tpq::model::ModelInputs& inputs) {
  Objective objective{true, tpq::train::MlmHead(model->config), {}};
  auto generator = torch::make_generator<at::CPUGeneratorImpl>(1);
  const tpq::train::SpecialIds special{0, 2, 3, 4, 5};
  std::tie(inputs.input_ids, objective.labels) = tpq::train::mask_tokens(
      inputs.input_ids * inputs.attention_mask, special, model->config.vocab_size, 0.15, generator);
  return objective;
}

torch::Tensor step_loss(tpq::model::EncoderClassifier& model, const tpq::model::ModelInputs& inputs,
                        Objective& objective, bool masked_rows) {
  if (!objective.mlm) return model->forward(inputs).logits.to(torch::kFloat).logsumexp(-1).mean();
  if (masked_rows) return tpq::train::mlm_batch_loss(*model, *objective.head, inputs, objective.labels);
  return tpq::train::masked_lm_loss(*objective.head, model->encode(inputs), objective.labels,
                                    model->embeddings->word_embeddings->weight);
}

// Milliseconds of each step after the first.
std::vector<double> run_steps(tpq::model::EncoderClassifier& model, const tpq::model::ModelInputs& inputs,
                              Objective& objective, const Variant& variant, int steps) {
  tpq::model::set_fused_softmax_dropout(variant.fused);
  tpq::model::set_fused_add_layer_norm(variant.add_norm);
  const tpq::TrainingAllocatorScope allocator(variant.cache_bytes);
  std::vector<double> times;
  for (int step = 0; step < steps; ++step) {
    const auto start = std::chrono::steady_clock::now();
    {
      at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
      at::autocast::set_cpu_enabled(true);
      const auto loss = step_loss(model, inputs, objective, variant.masked_rows);
      at::autocast::set_cpu_enabled(false);
      at::autocast::clear_cache();
      loss.backward();
    }
    model->zero_grad();
    if (objective.mlm) objective.head->zero_grad();
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (step > 0) times.push_back(ms);
  }
  return times;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Training-step time of the default profile's encoder: its fused nodes, the large-block cache, MLM's last layer"};
  int rounds = 5, steps = 3, threads = 2, batch = 32;
  std::vector<int64_t> lengths{512, 256};
  app.add_option("--rounds", rounds, "alternating rounds")->check(CLI::Range(1, 1000));
  app.add_option("--steps", steps, "steps per variant and round (the first is not timed)")->check(CLI::Range(2, 1000));
  app.add_option("--threads", threads, "intra-op threads")->check(CLI::Range(1, 256));
  app.add_option("--batch", batch, "sequences per batch")->check(CLI::Range(1, 4096));
  app.add_option("--lengths", lengths, "batch widths in tokens")->check(CLI::Range(16, 512));
  std::string objective_name = "classify";
  app.add_option("--objective", objective_name, "classify: the classifier's logits; mlm: masked-LM steps")
      ->check(CLI::IsMember({"classify", "mlm"}));
  CLI11_PARSE(app, argc, argv);
  tpq::tune_allocator();
  torch::set_num_threads(threads);
  torch::manual_seed(0);
  tpq::model::EncoderClassifier model(default_profile_encoder());
  model->train();
  const size_t cache = tpq::training_block_cache_bytes();
  const bool mlm = objective_name == "mlm";
  const std::vector<Variant> variants =
      mlm ? std::vector<Variant>{{"all rows", true, cache, true, false}, {"masked rows", true, cache, true, true}}
          : std::vector<Variant>{{"separate", false, 0, false}, {"fused", true, 0, false},
                                 {"fused+cache", true, cache, false}, {"+add-norm", true, cache, true}};
  for (const int64_t length : lengths) {
    auto inputs = batch_of(batch, length);
    Objective objective = mlm ? mlm_objective(model, inputs) : Objective{};
    std::vector<std::vector<double>> times(variants.size());
    for (int round = 0; round < rounds; ++round) {
      for (size_t k = 0; k < variants.size(); ++k) {
        const size_t v = (k + round) % variants.size();  // rotated, so no variant always follows another
        const auto step_times = run_steps(model, inputs, objective, variants[v], steps);
        times[v].insert(times[v].end(), step_times.begin(), step_times.end());
      }
    }
    for (size_t v = 0; v < variants.size(); ++v) {
      const auto [low, high] = std::minmax_element(times[v].begin(), times[v].end());
      std::printf("batch %d x %3lld  %-12s median %7.1f ms/step (%.1f-%.1f)  %s/this %.2fx\n", batch,
                  static_cast<long long>(length), variants[v].name.c_str(), median(times[v]), *low, *high,
                  variants[0].name.c_str(), median(times[0]) / median(times[v]));
    }
  }
  tpq::model::set_fused_softmax_dropout(true);
  tpq::model::set_fused_add_layer_norm(true);
  return 0;
}
