// One training step (forward and backward under bf16 autocast, dropout on) of the default profile's
// encoder, L4 H256 A4 I1024 with a 16 000-piece vocabulary, at batch 32, timed for three variants
// alternated in one process so the VM's drift hits each alike:
//   separate     softmax, mask add and CounterDropout as separate ops; glibc's mmap for large blocks
//   fused        the fused softmax-dropout node (model/softmax_dropout.h)
//   fused+cache  and freed large blocks parked for reuse (core/large_block_cache.h)
//   +add-norm    and residual add + LayerNorm as one node with the bf16 copy (model/add_layer_norm.h)
// Each round runs every variant (in rotated order) for --steps steps in a fresh TrainingAllocatorScope and times the
// last ones (the first fills the cache, as the first batches of an epoch do).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <ATen/autocast_mode.h>
#include <CLI/CLI.hpp>
#include <torch/torch.h>

#include "tpq/core/allocator.h"
#include "tpq/model/add_layer_norm.h"
#include "tpq/model/encoder_classifier.h"
#include "tpq/model/softmax_dropout.h"

namespace {

struct Variant {
  std::string name;
  bool fused;
  size_t cache_bytes;
  bool add_norm;
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

// Milliseconds of each step after the first.
std::vector<double> run_steps(tpq::model::EncoderClassifier& model, const tpq::model::ModelInputs& inputs,
                              const Variant& variant, int steps) {
  tpq::model::set_fused_softmax_dropout(variant.fused);
  tpq::model::set_fused_add_layer_norm(variant.add_norm);
  const tpq::TrainingAllocatorScope allocator(variant.cache_bytes);
  std::vector<double> times;
  for (int step = 0; step < steps; ++step) {
    const auto start = std::chrono::steady_clock::now();
    {
      at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
      at::autocast::set_cpu_enabled(true);
      const auto loss = model->forward(inputs).logits.to(torch::kFloat).logsumexp(-1).mean();
      at::autocast::set_cpu_enabled(false);
      at::autocast::clear_cache();
      loss.backward();
    }
    model->zero_grad();
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
  CLI::App app{"Training-step time of the default profile's encoder: fused softmax-dropout and large-block cache"};
  int rounds = 5, steps = 3, threads = 2, batch = 32;
  std::vector<int64_t> lengths{512, 256};
  app.add_option("--rounds", rounds, "alternating rounds")->check(CLI::Range(1, 1000));
  app.add_option("--steps", steps, "steps per variant and round (the first is not timed)")->check(CLI::Range(2, 1000));
  app.add_option("--threads", threads, "intra-op threads")->check(CLI::Range(1, 256));
  app.add_option("--batch", batch, "sequences per batch")->check(CLI::Range(1, 4096));
  app.add_option("--lengths", lengths, "batch widths in tokens")->check(CLI::Range(16, 512));
  CLI11_PARSE(app, argc, argv);
  tpq::tune_allocator();
  torch::set_num_threads(threads);
  torch::manual_seed(0);
  tpq::model::EncoderClassifier model(default_profile_encoder());
  model->train();
  const size_t cache = tpq::training_block_cache_bytes();
  const std::vector<Variant> variants{{"separate", false, 0, false}, {"fused", true, 0, false},
                                      {"fused+cache", true, cache, false}, {"+add-norm", true, cache, true}};
  for (const int64_t length : lengths) {
    const auto inputs = batch_of(batch, length);
    std::vector<std::vector<double>> times(variants.size());
    for (int round = 0; round < rounds; ++round) {
      for (size_t k = 0; k < variants.size(); ++k) {
        const size_t v = (k + round) % variants.size();  // rotated, so no variant always follows another
        const auto step_times = run_steps(model, inputs, variants[v], steps);
        times[v].insert(times[v].end(), step_times.begin(), step_times.end());
      }
    }
    for (size_t v = 0; v < variants.size(); ++v) {
      const auto [low, high] = std::minmax_element(times[v].begin(), times[v].end());
      std::printf("batch %d x %3lld  %-12s median %7.1f ms/step (%.1f-%.1f)  separate/this %.2fx\n", batch,
                  static_cast<long long>(length), variants[v].name.c_str(), median(times[v]), *low, *high,
                  median(times[0]) / median(times[v]));
    }
  }
  tpq::model::set_fused_softmax_dropout(true);
  tpq::model::set_fused_add_layer_norm(true);
  return 0;
}
