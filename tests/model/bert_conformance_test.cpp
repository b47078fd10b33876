// tpq's BERT against HF transformers' outputs for the same checkpoint (fixture tiny-bert-a).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/fixtures.h"
#include "support/reference.h"
#include "tpq/eval/predictor.h"
#include "tpq/checkpoint/checkpoint.h"
#include "tpq/io/safetensors.h"

namespace {

using tpq::testing::max_abs_difference;
using tpq::testing::tensor_from_json;

constexpr double kTolerance = 1e-4;

using tpq::testing::reference_inputs;

TEST(BertConformance, LogitsAndClsStateMatchHuggingFace) {
  TPQ_REQUIRE_FIXTURE(dir, "tiny-bert-a");
  const auto ref = tpq::testing::read_json_file(dir / "reference.json");
  auto checkpoint = tpq::checkpoint::load_checkpoint(dir);
  torch::NoGradGuard no_grad;
  const auto outputs = checkpoint.model->forward(reference_inputs(ref));
  using torch::indexing::Slice;
  EXPECT_LT(max_abs_difference(outputs.logits, tensor_from_json(ref["logits"], torch::kFloat)), kTolerance);
  EXPECT_LT(max_abs_difference(outputs.last_hidden_state.index({Slice(), 0}),
                               tensor_from_json(ref["last_hidden_state_cls"], torch::kFloat)),
            kTolerance);
}

TEST(BertConformance, SentencePairLogitsMatchHuggingFace) {
  TPQ_REQUIRE_FIXTURE(dir, "tiny-bert-a");
  const auto pair = tpq::testing::read_json_file(dir / "reference.json")["pair"];
  auto checkpoint = tpq::checkpoint::load_checkpoint(dir);
  torch::NoGradGuard no_grad;
  const auto outputs = checkpoint.model->forward(reference_inputs(pair));
  EXPECT_LT(max_abs_difference(outputs.logits, tensor_from_json(pair["logits"], torch::kFloat)), kTolerance);
}

TEST(BertConformance, ParameterNamesAreExactlyTheHuggingFaceKeys) {
  TPQ_REQUIRE_FIXTURE(dir, "tiny-bert-a");
  const auto file = tpq::io::SafetensorsFile::open(dir / "model.safetensors");
  auto checkpoint = tpq::checkpoint::load_checkpoint(dir);
  std::set<std::string> model_names, file_names;
  for (const auto& item : checkpoint.model->named_parameters()) model_names.insert(item.key());
  for (const auto& entry : file.header().tensors) file_names.insert(entry.name);
  EXPECT_EQ(model_names, file_names);
}

TEST(BertConformance, EndToEndFromRawTextMatchesHuggingFace) {
  TPQ_REQUIRE_FIXTURE(dir, "tiny-bert-a");
  const auto ref = tpq::testing::read_json_file(dir / "reference.json");
  auto checkpoint = tpq::checkpoint::load_checkpoint(dir);
  std::vector<tpq::eval::TextInput> inputs;
  for (const auto& sentence : ref["sentences"]) inputs.push_back({sentence.get<std::string>(), std::nullopt});
  tpq::eval::PredictOptions options;
  options.max_length = ref["max_length"].get<int64_t>();
  const auto predictions = tpq::eval::predict(*checkpoint.model, *checkpoint.tokenizer, inputs, options);
  const auto expected_logits = tensor_from_json(ref["logits"], torch::kFloat);
  ASSERT_EQ(predictions.size(), inputs.size());  // one prediction per sentence, or the loop checks nothing
  for (std::size_t i = 0; i < predictions.size(); ++i) {
    // HF padded to max_length; tpq pads only to the longest in the batch. Compare the real tokens.
    const auto real = static_cast<std::size_t>(ref["attention_mask"][i].get<std::vector<int>>().size() -
                                               std::count(ref["attention_mask"][i].begin(), ref["attention_mask"][i].end(), 0));
    const auto expected_tokens = ref["tokens"][i].get<std::vector<std::string>>();
    EXPECT_EQ(predictions[i].encoding.tokens, std::vector<std::string>(expected_tokens.begin(), expected_tokens.begin() + real))
        << "sentence " << i;
    const auto logits = torch::tensor(predictions[i].logits);
    EXPECT_LT(max_abs_difference(logits, expected_logits[static_cast<int64_t>(i)]), kTolerance) << "sentence " << i;
  }
}

TEST(BertConformance, PaddingToMaxLengthDoesNotChangeLogits) {
  TPQ_REQUIRE_FIXTURE(dir, "tiny-bert-a");
  auto checkpoint = tpq::checkpoint::load_checkpoint(dir);
  const std::vector<tpq::eval::TextInput> inputs = {{"short one", std::nullopt},
                                                    {"a somewhat longer sentence with more words in it", std::nullopt},
                                                    {"a question", std::string("and its answer")}};
  tpq::eval::PredictOptions unpadded;
  unpadded.batch_size = 1;
  tpq::eval::PredictOptions padded;
  padded.max_length = 64;
  padded.pad_to_max_length = true;
  const auto a = tpq::eval::predict(*checkpoint.model, *checkpoint.tokenizer, inputs, unpadded);
  const auto b = tpq::eval::predict(*checkpoint.model, *checkpoint.tokenizer, inputs, padded);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    EXPECT_EQ(b[i].encoding.input_ids.size(), 64u);
    EXPECT_LT(max_abs_difference(torch::tensor(a[i].logits), torch::tensor(b[i].logits)), 1e-5) << i;
  }
}

TEST(BertConformance, SavedAndReloadedModelGivesIdenticalLogits) {
  TPQ_REQUIRE_FIXTURE(dir, "tiny-bert-a");
  const auto ref = tpq::testing::read_json_file(dir / "reference.json");
  auto original = tpq::checkpoint::load_checkpoint(dir);
  tpq::testing::ScratchDir scratch;
  tpq::checkpoint::save_checkpoint(scratch / "saved", *original.model, original.tokenizer.get());
  auto reloaded = tpq::checkpoint::load_checkpoint(scratch / "saved");
  torch::NoGradGuard no_grad;
  const auto inputs = reference_inputs(ref);
  EXPECT_TRUE(torch::equal(original.model->forward(inputs).logits, reloaded.model->forward(inputs).logits));
  EXPECT_EQ(reloaded.tokenizer->encode("Café naïve", std::nullopt, {}).input_ids,
            original.tokenizer->encode("Café naïve", std::nullopt, {}).input_ids);
}

}  // namespace
