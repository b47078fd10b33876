// The compressed sparse format: exact bit layout, lossless save/reload through load_checkpoint
// (identical logits), a smaller file than the dense save at 50%, and clear errors on corrupt pairs.
#include <filesystem>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/fixtures.h"
#include "support/small_models.h"
#include "support/user_error_matchers.h"
#include "tpq/checkpoint/checkpoint.h"
#include "tpq/io/safetensors.h"
#include "tpq/checkpoint/sparse_tensors.h"
#include "pipeline/magnitude_pruning.h"
#include "tpq/prune/magnitude.h"

namespace {

namespace fs = std::filesystem;

TEST(SparseTensors, PacksTheNonZeroPatternLsbFirst) {
  const auto dense = torch::tensor({0.f, 1.5f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, -2.f}).view({3, 3});
  const auto packed = tpq::checkpoint::pack_sparse(dense);
  ASSERT_EQ(packed.mask_bits.scalar_type(), torch::kUInt8);
  ASSERT_EQ(packed.mask_bits.numel(), 2);
  EXPECT_EQ(packed.mask_bits[0].item<int>(), 2);  // entry 1 -> bit 1
  EXPECT_EQ(packed.mask_bits[1].item<int>(), 1);  // entry 8 -> bit 0 of byte 1
  EXPECT_TRUE(torch::equal(packed.values, torch::tensor({1.5f, -2.f})));
  EXPECT_TRUE(torch::equal(tpq::checkpoint::unpack_sparse(packed.mask_bits, packed.values, {3, 3}, "t"), dense));
  EXPECT_TRUE(tpq::testing::contains(
      tpq::testing::user_error_of([&] { tpq::checkpoint::unpack_sparse(packed.mask_bits, torch::ones({3}), {3, 3}, "w.tpq"); }),
      "w.tpq"));
}

TEST(SparseTensors, SavedPrunedModelReloadsWithIdenticalLogitsAndASmallerFile) {
  tpq::testing::ScratchDir scratch;
  torch::manual_seed(3);
  auto config = tpq::testing::small_bert_config(40, 32, 2, 2, 64, 16);
  tpq::model::EncoderClassifier model(config);
  model->init_weights();
  model->eval();
  tpq::prune::apply_masks(*model, tpq::prune::compute_masks(
                                      tpq::prune::magnitude_scores(*model, tpq::prune::Importance::L1), 0.5,
                                      tpq::prune::Scope::Global));
  const auto save = tpq::pipeline::save_sparse_model(scratch / "sparse", *model, nullptr);
  EXPECT_FALSE(model->config.extra.contains(tpq::checkpoint::kSparseKey));  // the in-memory model is unchanged
  EXPECT_LT(save.file_bytes, save.dense_file_bytes);
  EXPECT_LT(save.sparse_weight_bytes, 0.6 * save.dense_weight_bytes);  // 1/32 + 1/2 of dense at 50%
  EXPECT_EQ(save.file_bytes, tpq::checkpoint::directory_bytes(scratch / "sparse"));

  const auto file = tpq::io::SafetensorsFile::open(scratch / "sparse" / "model.safetensors");
  const std::string name = "bert.encoder.layer.1.intermediate.dense.weight";
  EXPECT_FALSE(file.contains(name));
  EXPECT_EQ(file.entry(name + ".tpq_mask").dtype, tpq::io::DType::U8);
  EXPECT_EQ(file.entry(name + ".tpq_values").dtype, tpq::io::DType::F32);
  EXPECT_EQ(file.entry("classifier.weight").dtype, tpq::io::DType::F32);

  tpq::checkpoint::LoadOptions options;
  options.load_tokenizer = false;
  auto reloaded = tpq::checkpoint::load_checkpoint(scratch / "sparse", options);
  const auto ids = torch::randint(5, 40, {3, 10}, torch::kLong);
  const auto expected = model->forward({ids, {}, {}}).logits;
  const auto actual = reloaded.model->forward({ids, {}, {}}).logits;
  EXPECT_TRUE(torch::equal(expected, actual));
  EXPECT_NEAR(tpq::prune::measure_sparsity(*reloaded.model).overall(), 0.5, 0.005);

  // Re-saving a loaded sparse checkpoint keeps the compressed format.
  tpq::checkpoint::save_checkpoint(scratch / "again", *reloaded.model, nullptr);
  EXPECT_TRUE(tpq::io::SafetensorsFile::open(scratch / "again" / "model.safetensors").contains(name + ".tpq_mask"));
}

TEST(SparseTensors, WordEmbeddingsArePrunedOnlyWhenAskedAndShrinkTheWholeFile) {
  tpq::testing::ScratchDir scratch;
  torch::manual_seed(5);
  // Embedding-heavy like the quick profile: vocab 1000 x hidden 32 beside a 1-layer encoder.
  tpq::model::EncoderClassifier model(tpq::testing::small_bert_config(1000, 32, 1, 2, 64, 16));
  model->init_weights();
  model->eval();
  const std::string table = "bert.embeddings.word_embeddings.weight";
  const auto encoder_only = tpq::prune::magnitude_scores(*model, tpq::prune::Importance::L1);
  EXPECT_EQ(encoder_only.count(table), 0u);
  const tpq::prune::PrunableSet with_table{/*word_embeddings=*/true};
  const auto scores = tpq::prune::magnitude_scores(*model, tpq::prune::Importance::L1, with_table);
  ASSERT_EQ(scores.count(table), 1u);
  tpq::prune::apply_masks(*model, tpq::prune::compute_masks(scores, 0.5, tpq::prune::Scope::Local));
  const auto report = tpq::prune::measure_sparsity(*model, with_table);
  EXPECT_NEAR(report.per_layer.at(table), 0.5, 0.005);
  EXPECT_NEAR(report.overall(), 0.5, 0.005);

  const auto save = tpq::pipeline::save_sparse_model(scratch / "sparse", *model, nullptr, with_table);
  EXPECT_LT(save.file_bytes, 0.6 * save.dense_file_bytes);  // the whole file, not only the encoder
  const auto file = tpq::io::SafetensorsFile::open(scratch / "sparse" / "model.safetensors");
  EXPECT_TRUE(file.contains(table + ".tpq_mask"));
  tpq::checkpoint::LoadOptions options;
  options.load_tokenizer = false;
  auto reloaded = tpq::checkpoint::load_checkpoint(scratch / "sparse", options);
  const auto ids = torch::randint(5, 1000, {2, 12}, torch::kLong);
  EXPECT_TRUE(torch::equal(model->forward({ids, {}, {}}).logits, reloaded.model->forward({ids, {}, {}}).logits));
}

TEST(SparseTensors, MissingPackedPairIsAUserErrorNamingTheTensor) {
  tpq::testing::ScratchDir scratch;
  torch::manual_seed(4);
  tpq::model::EncoderClassifier model(tpq::testing::small_bert_config(40, 16, 1, 2, 32, 16));
  tpq::checkpoint::save_checkpoint(scratch / "dense", *model, nullptr);
  // A config that claims a sparse tensor the file stores densely.
  auto json = tpq::testing::read_json_file(scratch / "dense" / "config.json");
  json[tpq::checkpoint::kSparseKey] = tpq::checkpoint::sparse_section({"bert.encoder.layer.0.output.dense.weight"});
  tpq::testing::write_text_file(scratch / "dense" / "config.json", json.dump());
  tpq::checkpoint::LoadOptions options;
  options.load_tokenizer = false;
  const auto message = tpq::testing::user_error_of([&] { tpq::checkpoint::load_checkpoint(scratch / "dense", options); });
  EXPECT_TRUE(tpq::testing::contains(message, "bert.encoder.layer.0.output.dense.weight"));
}

}  // namespace
