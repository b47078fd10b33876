// DistilBERT and RoBERTa against HF transformers' own outputs for the same checkpoints (fixtures
// tiny-distilbert-a, tiny-roberta-a): logits and first-token state within 1e-4, HF's parameter names,
// save -> load identical, and physically removed heads equal to the same heads masked.
#include <filesystem>
#include <fstream>
#include <set>

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

constexpr double kFamilyTolerance = 1e-4;

// Neither family's tokenizer emits token_type_ids: the model gets none.
tpq::model::ModelInputs family_reference_inputs(const nlohmann::json& ref) {
  return {tensor_from_json(ref["input_ids"], torch::kLong), torch::Tensor(), tensor_from_json(ref["attention_mask"], torch::kLong)};
}

class FamilyConformance : public ::testing::TestWithParam<const char*> {};

TEST_P(FamilyConformance, LogitsAndFirstTokenStateMatchHuggingFace) {
  TPQ_REQUIRE_FIXTURE(dir, GetParam());
  const auto ref = tpq::testing::read_json_file(dir / "reference.json");
  tpq::checkpoint::LoadOptions options;
  options.load_tokenizer = false;
  auto checkpoint = tpq::checkpoint::load_checkpoint(dir, options);
  EXPECT_EQ(checkpoint.config.model_type, std::string(GetParam()).substr(5, std::string(GetParam()).size() - 7));
  torch::NoGradGuard no_grad;
  using torch::indexing::Slice;
  for (const auto* inputs : {&ref, &ref["pair"]}) {
    const auto outputs = checkpoint.model->forward(family_reference_inputs(*inputs));
    EXPECT_LT(max_abs_difference(outputs.logits, tensor_from_json((*inputs)["logits"], torch::kFloat)), kFamilyTolerance);
    EXPECT_LT(max_abs_difference(outputs.last_hidden_state.index({Slice(), 0}),
                                 tensor_from_json((*inputs)["last_hidden_state_cls"], torch::kFloat)),
              kFamilyTolerance);
  }
}

// logits() (the last layer on the first token's row alone) against HF's logits of every position.
TEST_P(FamilyConformance, LogitsAloneMatchHuggingFace) {
  TPQ_REQUIRE_FIXTURE(dir, GetParam());
  const auto ref = tpq::testing::read_json_file(dir / "reference.json");
  tpq::checkpoint::LoadOptions options;
  options.load_tokenizer = false;
  auto checkpoint = tpq::checkpoint::load_checkpoint(dir, options);
  torch::NoGradGuard no_grad;
  for (const auto* inputs : {&ref, &ref["pair"]}) {
    EXPECT_LT(max_abs_difference(checkpoint.model->logits(family_reference_inputs(*inputs)),
                                 tensor_from_json((*inputs)["logits"], torch::kFloat)),
              kFamilyTolerance);
  }
}

TEST_P(FamilyConformance, ParameterNamesAreExactlyTheHuggingFaceKeys) {
  TPQ_REQUIRE_FIXTURE(dir, GetParam());
  const auto file = tpq::io::SafetensorsFile::open(dir / "model.safetensors");
  tpq::checkpoint::LoadOptions options;
  options.load_tokenizer = false;
  auto checkpoint = tpq::checkpoint::load_checkpoint(dir, options);
  std::set<std::string> model_names, file_names;
  for (const auto& item : checkpoint.model->named_parameters()) model_names.insert(item.key());
  for (const auto& entry : file.header().tensors) file_names.insert(entry.name);
  EXPECT_EQ(model_names, file_names);
}

TEST_P(FamilyConformance, SavedAndReloadedModelGivesIdenticalLogitsAndTheFamilysConfigKeys) {
  TPQ_REQUIRE_FIXTURE(dir, GetParam());
  const auto ref = tpq::testing::read_json_file(dir / "reference.json");
  tpq::checkpoint::LoadOptions options;
  options.load_tokenizer = false;
  auto original = tpq::checkpoint::load_checkpoint(dir, options);
  tpq::testing::ScratchDir scratch;
  tpq::checkpoint::save_checkpoint(scratch / "saved", *original.model, nullptr);
  auto reloaded = tpq::checkpoint::load_checkpoint(scratch / "saved", options);
  torch::NoGradGuard no_grad;
  const auto inputs = family_reference_inputs(ref);
  EXPECT_TRUE(torch::equal(original.model->forward(inputs).logits, reloaded.model->forward(inputs).logits));
  // config.json as HF writes it for the family: its own key names, every original key kept.
  const auto written = tpq::testing::read_json_file(scratch / "saved" / "config.json");
  const auto source = tpq::testing::read_json_file(dir / "config.json");
  for (const auto& [key, value] : source.items()) EXPECT_TRUE(written.contains(key)) << key;
  EXPECT_EQ(written["model_type"], source["model_type"]);
  EXPECT_EQ(written["architectures"], source["architectures"]);
}

TEST_P(FamilyConformance, RemovedHeadsGiveTheLogitsOfTheSameHeadsMasked) {
  TPQ_REQUIRE_FIXTURE(dir, GetParam());
  const auto ref = tpq::testing::read_json_file(dir / "reference.json");
  tpq::checkpoint::LoadOptions options;
  options.load_tokenizer = false;
  auto masked = tpq::checkpoint::load_checkpoint(dir, options);
  auto pruned = tpq::checkpoint::load_checkpoint(dir, options);
  const tpq::prune::HeadSelection heads = {{0, {1}}, {1, {0, 3}}};
  tpq::prune::prune_heads(*pruned.model, heads);
  std::vector<torch::Tensor> masks = {torch::tensor({1.0f, 0.0f, 1.0f, 1.0f}), torch::tensor({0.0f, 1.0f, 1.0f, 0.0f})};
  torch::NoGradGuard no_grad;
  const auto inputs = family_reference_inputs(ref);
  const auto expected = masked.model->forward(inputs, masks).logits;
  EXPECT_LT(max_abs_difference(pruned.model->forward(inputs).logits, expected), 1e-5);
  EXPECT_GT(max_abs_difference(masked.model->forward(inputs).logits, expected), 1e-4);  // the heads mattered
  // Saved with HF's pruned_heads and smaller matrices, it reloads to the same logits.
  tpq::testing::ScratchDir scratch;
  tpq::checkpoint::save_checkpoint(scratch / "pruned", *pruned.model, nullptr);
  auto reloaded = tpq::checkpoint::load_checkpoint(scratch / "pruned", options);
  EXPECT_TRUE(torch::equal(reloaded.model->forward(inputs).logits, pruned.model->forward(inputs).logits));
  EXPECT_EQ(tpq::testing::read_json_file(scratch / "pruned" / "config.json")["pruned_heads"]["1"],
            nlohmann::json::array({0, 3}));
}

// The fixtures have dropout 0; real checkpoints have 0.1. In eval every dropout is off, so the same
// weights with the released models' dropout must still give HF's logits (an unregistered dropout
// would stay in training mode).
TEST_P(FamilyConformance, DropoutOfTheReleasedModelsLeavesEvalLogitsExact) {
  TPQ_REQUIRE_FIXTURE(dir, GetParam());
  const auto ref = tpq::testing::read_json_file(dir / "reference.json");
  tpq::testing::ScratchDir scratch;
  std::filesystem::copy(dir, scratch / "model", std::filesystem::copy_options::recursive);
  auto config = tpq::testing::read_json_file(dir / "config.json");
  const bool distilbert = config["model_type"] == "distilbert";
  for (const char* key : {"dropout", "attention_dropout", "seq_classif_dropout", "hidden_dropout_prob",
                          "attention_probs_dropout_prob"}) {
    if (config.contains(key) || (distilbert == (std::string(key).find("_prob") == std::string::npos))) config[key] = 0.1;
  }
  std::ofstream(scratch / "model" / "config.json") << config.dump(2);
  tpq::checkpoint::LoadOptions options;
  options.load_tokenizer = false;
  auto checkpoint = tpq::checkpoint::load_checkpoint(scratch / "model", options);
  checkpoint.model->eval();
  torch::NoGradGuard no_grad;
  EXPECT_LT(max_abs_difference(checkpoint.model->forward(family_reference_inputs(ref)).logits,
                               tensor_from_json(ref["logits"], torch::kFloat)),
            kFamilyTolerance);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FamilyConformance, ::testing::Values("tiny-distilbert-a", "tiny-roberta-a"),
                         [](const auto& info) { return std::string(info.param).substr(5, std::string(info.param).size() - 7); });

TEST(DistilBertConformance, EndToEndFromRawTextMatchesHuggingFace) {
  TPQ_REQUIRE_FIXTURE(dir, "tiny-distilbert-a");
  const auto ref = tpq::testing::read_json_file(dir / "reference.json");
  auto checkpoint = tpq::checkpoint::load_checkpoint(dir);
  tpq::tokenize::EncodeOptions options;
  options.max_length = ref["max_length"].get<int64_t>();
  options.pad_to_max_length = true;
  for (std::size_t i = 0; i < ref["sentences"].size(); ++i) {
    const auto encoding = checkpoint.tokenizer->encode(ref["sentences"][i].get<std::string>(), std::nullopt, options);
    EXPECT_EQ(encoding.tokens, ref["tokens"][i].get<std::vector<std::string>>()) << i;
    EXPECT_EQ(encoding.input_ids, ref["input_ids"][i].get<std::vector<int64_t>>()) << i;
  }
}

}  // namespace
