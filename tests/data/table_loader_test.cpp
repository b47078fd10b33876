// Tests for the generic csv / tsv / jsonl loader: custom columns, text pairs, string and integer
// labels, a single file vs a train/validation/test folder, and every malformed-input error.
#include <gtest/gtest.h>

#include "support/user_error_matchers.h"
#include "support/fixtures.h"
#include "tpq/data/dataset_spec.h"

namespace tpq::data {
namespace {

using tpq::testing::ScratchDir;
using tpq::testing::write_text_file;

const Example* find_text(const DatasetSplits& splits, const std::string& text) {
  for (const auto* split : {&splits.train, &splits.validation, &splits.test}) {
    for (const auto& example : split->examples) {
      if (example.text == text) return &example;
    }
  }
  return nullptr;
}

DatasetSpec table_spec(const std::string& format, const std::filesystem::path& path) {
  DatasetSpec spec;
  spec.name = "mine";
  spec.format = format;
  spec.path = path;
  return spec;
}

TEST(DataLoader, CsvCustomColumnsStringLabels) {
  ScratchDir dir;
  std::string csv = "id,review,extra,sentiment\n";
  for (int i = 0; i < 12; ++i) {
    csv += std::to_string(i) + ",\"text, " + std::to_string(i) + "\",x," + (i % 3 == 0 ? "neutral" : i % 3 == 1 ? "bad" : "good") + "\n";
  }
  write_text_file(dir / "all.csv", csv);
  auto spec = table_spec("csv", dir / "all.csv");
  spec.text_column = "review";
  spec.label_column = "sentiment";
  const auto splits = load_dataset(spec);
  EXPECT_EQ(splits.train.label_names, (std::vector<std::string>{"bad", "good", "neutral"}));  // sorted
  EXPECT_EQ(splits.train.size() + splits.validation.size() + splits.test.size(), 12u);
  const Example* example = find_text(splits, "text, 4");  // 4 % 3 == 1 -> "bad"
  ASSERT_NE(example, nullptr);
  EXPECT_EQ(example->label, 0);

  spec.label_names = {"good", "bad", "neutral"};  // explicit order wins
  EXPECT_EQ(find_text(load_dataset(spec), "text, 4")->label, 1);
}

TEST(DataLoader, TsvFolderWithPairsAndIntegerLabels) {
  ScratchDir dir;
  std::string train = "premise\thypothesis\tlabel\n";
  for (int i = 0; i < 10; ++i) train += "p" + std::to_string(i) + "\th" + std::to_string(i) + "\t" + std::to_string(i % 2) + "\n";
  write_text_file(dir / "train.tsv", train);
  write_text_file(dir / "dev.tsv", "premise\thypothesis\tlabel\nvp\tvh\t1\n");
  write_text_file(dir / "test.tsv", "premise\thypothesis\tlabel\ntp\tth\t0\ntq\t\"quotes stay\"\t1\n");
  auto spec = table_spec("tsv", dir.path());
  spec.text_column = "premise";
  spec.text_pair_column = "hypothesis";
  const auto splits = load_dataset(spec);
  EXPECT_EQ(splits.train.size(), 10u);
  EXPECT_EQ(splits.validation.size(), 1u);
  EXPECT_EQ(splits.test.size(), 2u);
  EXPECT_EQ(splits.validation.examples[0].text_pair, std::optional<std::string>("vh"));
  EXPECT_EQ(find_text(splits, "tq")->text_pair, std::optional<std::string>("\"quotes stay\""));
  EXPECT_EQ(splits.train.label_names, (std::vector<std::string>{"0", "1"}));
}

TEST(DataLoader, JsonlLabelsMappedTogetherAcrossFiles) {
  ScratchDir dir;
  std::string train;
  for (int i = 0; i < 8; ++i) train += "{\"body\": \"b" + std::to_string(i) + "\", \"y\": " + std::to_string(i % 2 + 1) + "}\n";
  write_text_file(dir / "train.jsonl", train + "\n");  // a trailing blank line is fine
  write_text_file(dir / "test.jsonl", "{\"body\": \"t\", \"y\": 2.0}\n");
  auto spec = table_spec("jsonl", dir.path());
  spec.text_column = "body";
  spec.label_column = "y";
  spec.holdout_fraction = 0.25;
  const auto splits = load_dataset(spec);
  EXPECT_EQ(splits.train.label_names, (std::vector<std::string>{"1", "2"}));  // 1,2 -> ids 0,1
  EXPECT_EQ(find_text(splits, "t")->label, 1);
  EXPECT_EQ(find_text(splits, "b0")->label, 0);
  EXPECT_EQ(splits.validation.size(), 2u);  // carved from train: 0.25 of 4 per class
  ASSERT_FALSE(splits.notes.empty());
  EXPECT_NE(splits.notes[0].find("numeric order"), std::string::npos);
}

TEST(DataLoader, TableErrorsNameFileLineAndColumn) {
  ScratchDir dir;
  auto spec = table_spec("csv", dir / "x.csv");
  write_text_file(dir / "x.csv", "sentence,label\na,0\nb,1\n");
  TPQ_EXPECT_USER_ERROR(load_dataset(spec), "x.csv", "text column 'text' not found", "sentence, label", "text_column");
  spec.text_column = "sentence";
  spec.label_column = "target";
  TPQ_EXPECT_USER_ERROR(load_dataset(spec), "x.csv", "'target'", "label_column");
  spec.label_column = "label";
  write_text_file(dir / "x.csv", "sentence,label\na,0\nb,1,extra\n");
  TPQ_EXPECT_USER_ERROR(load_dataset(spec), "x.csv", "line 3", "3 fields", "header has 2");
  write_text_file(dir / "x.csv", "sentence,label\na,0\nb,\"1\"x\n");
  TPQ_EXPECT_USER_ERROR(load_dataset(spec), "x.csv", "line 3", "field 2");
  write_text_file(dir / "x.csv", "sentence,label\n");
  TPQ_EXPECT_USER_ERROR(load_dataset(spec), "x.csv", "no data rows");
  write_text_file(dir / "x.csv", "");
  TPQ_EXPECT_USER_ERROR(load_dataset(spec), "x.csv", "empty");
  write_text_file(dir / "x.csv", "sentence,label\na,0\nb,1\nc,2\nd,x\n");
  spec.num_labels = 3;
  TPQ_EXPECT_USER_ERROR(load_dataset(spec), "x.csv", "line 5", "'label'", "not an integer");
  write_text_file(dir / "x.csv", "sentence,label\na,0\nb,1\nc,3\n");
  TPQ_EXPECT_USER_ERROR(load_dataset(spec), "x.csv", "line 4", "out of range", "3 labels");
  spec.num_labels = 0;
  write_text_file(dir / "x.csv", "sentence,label\na,0\nb,0\n");
  TPQ_EXPECT_USER_ERROR(load_dataset(spec), "x.csv", "single distinct label");

  auto jsonl = table_spec("jsonl", dir / "y.jsonl");
  write_text_file(dir / "y.jsonl", "{\"text\": \"a\", \"label\": 0}\n{\"text\": \"b\", \"label\": 1\n");
  TPQ_EXPECT_USER_ERROR(load_dataset(jsonl), "y.jsonl", "line 2", "malformed JSON");
  write_text_file(dir / "y.jsonl", "{\"text\": \"a\", \"label\": 0}\n{\"txt\": \"b\", \"label\": 1}\n");
  TPQ_EXPECT_USER_ERROR(load_dataset(jsonl), "y.jsonl", "line 2", "'text' not found", "keys are: label, txt");
  write_text_file(dir / "y.jsonl", "{\"text\": \"a\", \"label\": 0}\n{\"text\": \"b\", \"label\": [1]}\n");
  TPQ_EXPECT_USER_ERROR(load_dataset(jsonl), "y.jsonl", "line 2", "neither an integer nor a string");
  write_text_file(dir / "y.jsonl", "[1, 2]\n");
  TPQ_EXPECT_USER_ERROR(load_dataset(jsonl), "y.jsonl", "line 1", "JSON object");

  auto folder = table_spec("csv", dir / "folder");
  std::filesystem::create_directories(dir / "folder");
  TPQ_EXPECT_USER_ERROR(load_dataset(folder), "folder", "train.csv");
  auto no_path = table_spec("csv", "");
  TPQ_EXPECT_USER_ERROR(load_dataset(no_path), "no path");
}

TEST(DataLoader, SplitFractionErrors) {
  ScratchDir dir;
  std::string csv = "text,label\n";
  for (int i = 0; i < 8; ++i) csv += "t" + std::to_string(i) + "," + std::to_string(i % 2) + "\n";
  write_text_file(dir / "a.csv", csv);
  auto spec = table_spec("csv", dir / "a.csv");
  spec.split_fractions = {0.6, 0.3, 0.3};
  TPQ_EXPECT_USER_ERROR(load_dataset(spec), "sum to", "not 1");
  spec.split_fractions = {1.2, -0.1, -0.1};
  TPQ_EXPECT_USER_ERROR(load_dataset(spec), "negative");
}

}  // namespace
}  // namespace tpq::data
