// Head pruning against an independent reference: tiny-bert-a-pruned is tiny-bert-a after HF's own
// prune_heads({0: [0, 3], 1: [2]}) and save_pretrained. Loading it must give HF's outputs, and
// pruning the same heads in tpq and saving must give the same tensors, bit for bit.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/fixtures.h"
#include "support/reference.h"
#include "tpq/checkpoint/checkpoint.h"
#include "tpq/io/safetensors.h"
#include "tpq/prune/head_pruning.h"

namespace {

using tpq::testing::max_abs_difference;
using tpq::testing::tensor_from_json;

constexpr double kTolerance = 1e-4;  // as the unpruned conformance tests

const tpq::prune::HeadSelection kHfPrunedHeads = {{0, {0, 3}}, {1, {2}}};

using tpq::testing::reference_inputs;

tpq::checkpoint::Checkpoint load_without_tokenizer(const std::filesystem::path& dir) {
  tpq::checkpoint::LoadOptions options;
  options.load_tokenizer = false;
  auto checkpoint = tpq::checkpoint::load_checkpoint(dir, options);
  checkpoint.model->eval();
  return checkpoint;
}

TEST(HeadPruningReference, LoadingHfPrunedCheckpointGivesHfOutputs) {
  TPQ_REQUIRE_FIXTURE(pruned_dir, "tiny-bert-a-pruned");
  TPQ_REQUIRE_FIXTURE(unpruned_dir, "tiny-bert-a");
  const auto ref = tpq::testing::read_json_file(pruned_dir / "reference.json");
  const auto expected_cls = tensor_from_json(ref["last_hidden_state_cls"], torch::kFloat);
  // The heads HF removed move the [CLS] state far more than the tolerance: the check can fail.
  const auto unpruned_cls = tensor_from_json(tpq::testing::read_json_file(unpruned_dir / "reference.json")["last_hidden_state_cls"],
                                             torch::kFloat);
  ASSERT_GT(max_abs_difference(expected_cls, unpruned_cls), 100 * kTolerance);

  auto checkpoint = load_without_tokenizer(pruned_dir);
  EXPECT_EQ(checkpoint.model->config.heads_in_layer(0), 2);
  EXPECT_EQ(checkpoint.model->config.heads_in_layer(1), 3);
  EXPECT_EQ(checkpoint.model->config.pruned_heads, (std::map<int64_t, std::vector<int64_t>>{{0, {0, 3}}, {1, {2}}}));
  torch::NoGradGuard no_grad;
  const auto outputs = checkpoint.model->forward(reference_inputs(ref));
  EXPECT_LT(max_abs_difference(outputs.last_hidden_state.select(1, 0), expected_cls), kTolerance);
  EXPECT_LT(max_abs_difference(outputs.logits, tensor_from_json(ref["logits"], torch::kFloat)), kTolerance);
}

TEST(HeadPruningReference, PruningTheSameHeadsSavesHfsTensors) {
  TPQ_REQUIRE_FIXTURE(pruned_dir, "tiny-bert-a-pruned");
  TPQ_REQUIRE_FIXTURE(unpruned_dir, "tiny-bert-a");
  auto checkpoint = load_without_tokenizer(unpruned_dir);
  tpq::prune::prune_heads(*checkpoint.model, kHfPrunedHeads);
  tpq::testing::ScratchDir scratch;
  tpq::checkpoint::save_checkpoint(scratch / "pruned", *checkpoint.model, nullptr);

  const auto ours = tpq::io::SafetensorsFile::open(scratch / "pruned" / "model.safetensors").all_tensors();
  const auto hf = tpq::io::SafetensorsFile::open(pruned_dir / "model.safetensors").all_tensors();
  ASSERT_EQ(ours.size(), hf.size());
  for (const auto& [name, expected] : hf) {
    const auto found = ours.find(name);
    ASSERT_NE(found, ours.end()) << name;
    ASSERT_EQ(found->second.sizes(), expected.sizes()) << name;
    EXPECT_TRUE(torch::equal(found->second, expected)) << name << ": max |difference| "
                                                        << max_abs_difference(found->second, expected);
  }
  const auto config = tpq::testing::read_json_file(scratch / "pruned" / "config.json");
  EXPECT_EQ(config["pruned_heads"], tpq::testing::read_json_file(pruned_dir / "config.json")["pruned_heads"]);
}

}  // namespace
