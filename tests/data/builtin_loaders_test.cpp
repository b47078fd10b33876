// Tests for the built-in dataset formats (imdb JSON, aclImdb, SST-2, AG News, SpamAssassin) on tiny
// hand-written files, including the splits load_dataset() makes for each.
#include <gtest/gtest.h>

#include "support/user_error_matchers.h"
#include "support/fixtures.h"
#include "tpq/data/dataset_spec.h"

namespace tpq::data {
namespace {

using tpq::testing::ScratchDir;
using tpq::testing::write_text_file;

std::size_t total(const DatasetSplits& splits) {
  return splits.train.size() + splits.validation.size() + splits.test.size();
}

std::size_t count_label(const Dataset& split, int64_t label) {
  std::size_t count = 0;
  for (const auto& example : split.examples) count += example.label == label;
  return count;
}

bool has_text(const Dataset& split, const std::string& text) {
  for (const auto& example : split.examples) {
    if (example.text == text) return true;
  }
  return false;
}

std::string imdb_json(int per_class) {
  std::string json = "[";
  for (int i = 0; i < 2 * per_class; ++i) {
    json += (i ? "," : "") + std::string("{\"t\":\"review ") + std::to_string(i) + " great<br />film\",\"s\":" +
            std::to_string(i % 2) + "}";
  }
  return json + "]";
}

TEST(DataLoader, ImdbJsonSplitsStratified) {
  ScratchDir dir;
  write_text_file(dir / "reviews.json", imdb_json(20));
  DatasetSpec spec;
  spec.path = dir / "reviews.json";
  const auto splits = load_dataset(spec);
  EXPECT_EQ(splits.train.size(), 20u);
  EXPECT_EQ(splits.validation.size(), 10u);
  EXPECT_EQ(splits.test.size(), 10u);
  EXPECT_EQ(count_label(splits.train, 1), 10u);
  EXPECT_EQ(count_label(splits.test, 0), 5u);
  EXPECT_EQ(splits.train.label_names, (std::vector<std::string>{"negative", "positive"}));
  EXPECT_NE(splits.train.examples[0].text.find("<br />"), std::string::npos);  // kept verbatim
  EXPECT_FALSE(splits.notes.empty());
}

TEST(DataLoader, ImdbSampleCapsKeepBalance) {
  ScratchDir dir;
  write_text_file(dir / "reviews.json", imdb_json(20));
  DatasetSpec spec;
  spec.path = dir / "reviews.json";
  spec.max_train_samples = 6;
  spec.max_test_samples = 4;
  const auto splits = load_dataset(spec);
  EXPECT_EQ(splits.train.size(), 6u);
  EXPECT_EQ(count_label(splits.train, 0), 3u);
  EXPECT_EQ(splits.test.size(), 4u);
  EXPECT_EQ(splits.validation.size(), 10u);
}

TEST(DataLoader, ImdbBadInputs) {
  ScratchDir dir;
  DatasetSpec spec;
  spec.path = dir / "missing.json";
  TPQ_EXPECT_USER_ERROR(load_dataset(spec), "missing.json", "scripts/setup.sh");
  write_text_file(dir / "empty.json", "");
  spec.path = dir / "empty.json";
  TPQ_EXPECT_USER_ERROR(load_dataset(spec), "empty.json", "empty");
  write_text_file(dir / "bad.json", "[{\"t\":\"ok\",\"s\":0},{\"t\":\"x\",\"s\":");
  spec.path = dir / "bad.json";
  TPQ_EXPECT_USER_ERROR(load_dataset(spec), "bad.json", "invalid JSON");
  write_text_file(dir / "label.json", "[{\"t\":\"ok\",\"s\":0},{\"t\":\"x\",\"s\":2}]");
  spec.path = dir / "label.json";
  TPQ_EXPECT_USER_ERROR(load_dataset(spec), "label.json", "review #1", "\"s\"", "0 or 1");
  write_text_file(dir / "key.json", "[{\"text\":\"ok\",\"s\":0}]");
  spec.path = dir / "key.json";
  TPQ_EXPECT_USER_ERROR(load_dataset(spec), "key.json", "review #0", "\"t\"");
  write_text_file(dir / "few.json", "[{\"t\":\"a\",\"s\":0},{\"t\":\"b\",\"s\":1}]");
  spec.path = dir / "few.json";
  TPQ_EXPECT_USER_ERROR(load_dataset(spec), "split is empty");
}

TEST(DataLoader, AclImdbDirectoryLayout) {
  ScratchDir dir;
  for (const char* split : {"train", "test"}) {
    for (int i = 0; i < 10; ++i) {
      write_text_file(dir / "aclImdb" / split / "pos" / (std::to_string(i) + "_9.txt"), std::string(split) + " good " + std::to_string(i));
      write_text_file(dir / "aclImdb" / split / "neg" / (std::to_string(i) + "_1.txt"), std::string(split) + " bad " + std::to_string(i));
    }
  }
  DatasetSpec spec;
  spec.name = "aclimdb";
  spec.path = dir.path();  // the folder holding aclImdb/ is accepted too
  spec.holdout_fraction = 0.2;
  const auto splits = load_dataset(spec);
  EXPECT_EQ(splits.test.size(), 20u);
  EXPECT_EQ(splits.validation.size(), 4u);
  EXPECT_EQ(splits.train.size(), 16u);
  EXPECT_EQ(count_label(splits.validation, 1), 2u);
  EXPECT_TRUE(has_text(splits.test, "test good 3"));
  for (const auto& example : splits.test.examples) EXPECT_EQ(example.text.rfind("test ", 0), 0u);
  spec.path = dir / "nowhere";
  TPQ_EXPECT_USER_ERROR(load_dataset(spec), "nowhere", "aclImdb");
}

TEST(DataLoader, Sst2TestIsDevValidationFromTrain) {
  ScratchDir dir;
  std::string train = "sentence\tlabel\n";
  for (int i = 0; i < 20; ++i) train += "a \"quoted\" line " + std::to_string(i) + " \t" + std::to_string(i % 2) + "\n";
  write_text_file(dir / "train.tsv", train);
  write_text_file(dir / "dev.tsv", "sentence\tlabel\nit 's fine\t1\nnot good\t0\r\n");
  DatasetSpec spec;
  spec.name = "sst2";
  spec.path = dir.path();
  const auto splits = load_dataset(spec);
  EXPECT_EQ(splits.test.size(), 2u);
  EXPECT_TRUE(has_text(splits.test, "not good"));  // CRLF stripped
  EXPECT_EQ(splits.validation.size(), 2u);
  EXPECT_EQ(splits.train.size(), 18u);
  EXPECT_TRUE(has_text(splits.train, "a \"quoted\" line 0 ") || has_text(splits.validation, "a \"quoted\" line 0 "));
  write_text_file(dir / "dev.tsv", "sentence\tlabel\nfine\t1\nragged\n");
  TPQ_EXPECT_USER_ERROR(load_dataset(spec), "dev.tsv", "line 3", "1 fields");
  write_text_file(dir / "dev.tsv", "sentence\tlabel\nfine\t7\n");
  TPQ_EXPECT_USER_ERROR(load_dataset(spec), "dev.tsv", "line 2", "'label'", "'7'");
}

TEST(DataLoader, AgNewsQuotingAndLabels) {
  ScratchDir dir;
  std::string train;
  for (int i = 0; i < 16; ++i) {
    train += "\"" + std::to_string(i % 4 + 1) + "\",\"Title, with comma " + std::to_string(i) +
             "\",\"He said \"\"hi\"\"\nacross lines\\nand escaped\"\n";
  }
  write_text_file(dir / "train.csv", train);
  write_text_file(dir / "test.csv", "\"3\",\"Wall St. Bears\",\"Short-sellers, again.\"\r\n\"4\",\"Q?\",\"A\"");
  DatasetSpec spec;
  spec.name = "ag_news";
  spec.path = dir.path();
  spec.holdout_fraction = 0.25;
  auto splits = load_dataset(spec);
  EXPECT_EQ(splits.train.label_names, (std::vector<std::string>{"World", "Sports", "Business", "Sci/Tech"}));
  EXPECT_EQ(splits.train.size(), 12u);
  EXPECT_EQ(splits.validation.size(), 4u);
  EXPECT_EQ(splits.test.size(), 2u);
  EXPECT_TRUE(has_text(splits.test, "Wall St. Bears. Short-sellers, again."));
  EXPECT_TRUE(has_text(splits.test, "Q? A"));
  EXPECT_EQ(count_label(splits.test, 2), 1u);
  EXPECT_EQ(count_label(splits.test, 3), 1u);
  const std::string& text = splits.train.examples[0].text;
  EXPECT_NE(text.find("He said \"hi\"\nacross lines\nand escaped"), std::string::npos) << text;
  spec.pair_title_and_description = true;
  splits = load_dataset(spec);
  ASSERT_TRUE(splits.test.examples[0].text_pair.has_value());
  write_text_file(dir / "test.csv", "\"3\",\"a\",\"b\"\n\"5\",\"c\",\"d\"\n");
  TPQ_EXPECT_USER_ERROR(load_dataset(spec), "test.csv", "line 2", "column 1", "'5'");
  write_text_file(dir / "test.csv", "\"3\",\"a\",\"b\"\n\"2\",\"c\"\n");
  TPQ_EXPECT_USER_ERROR(load_dataset(spec), "test.csv", "line 2", "2 fields");
  write_text_file(dir / "test.csv", "\"3\",\"a\",\"b\"\n\"2\",\"c\",\"never closed\nd\n");
  TPQ_EXPECT_USER_ERROR(load_dataset(spec), "test.csv", "line 2", "never closed");
  write_text_file(dir / "test.csv", "\"3\",\"a\",\"b\"\n\"2\",\"c\"d,\"e\"\n");
  TPQ_EXPECT_USER_ERROR(load_dataset(spec), "test.csv", "line 2", "field 2", "after a closing quote");
}

TEST(DataLoader, SpamAssassinJsonTree) {
  ScratchDir dir;
  int id = 0;
  for (const char* group : {"easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2"}) {
    for (int i = 0; i < 4; ++i, ++id) {
      const nlohmann::json mail = {{"id", std::to_string(id)}, {"group", group}, {"text", std::string("Subject: ") + group}};
      write_text_file(dir / "data" / group / (std::to_string(id) + ".json"), mail.dump());
      write_text_file(dir / "data" / group / (std::to_string(id) + ".txt"), "raw copy, ignored");
    }
  }
  DatasetSpec spec;
  spec.name = "spam_assassin";
  spec.path = dir.path();
  const auto splits = load_dataset(spec);
  EXPECT_EQ(total(splits), 20u);
  EXPECT_EQ(count_label(splits.train, 0) + count_label(splits.validation, 0) + count_label(splits.test, 0), 12u);
  EXPECT_EQ(splits.train.label_names, (std::vector<std::string>{"ham", "spam"}));
  for (const auto* split : {&splits.train, &splits.validation, &splits.test}) {
    for (const auto& example : split->examples) {
      EXPECT_EQ(example.label, example.text.find("spam") != std::string::npos ? 1 : 0);
    }
  }
  write_text_file(dir / "data" / "spam-1" / "bad.json", "{\"id\": 1, \"text\": ");
  TPQ_EXPECT_USER_ERROR(load_dataset(spec), "bad.json", "invalid JSON");
  spec.path = dir / "absent";
  TPQ_EXPECT_USER_ERROR(load_dataset(spec), "absent", "scripts/setup.sh");
}

TEST(DataLoader, UnknownNameSuggestsClosest) {
  DatasetSpec spec;
  spec.name = "imbd";
  TPQ_EXPECT_USER_ERROR(load_dataset(spec), "'imbd'", "did you mean 'imdb'");
  spec.name = "ag-news-ish";
  spec.format = "agnewz";
  TPQ_EXPECT_USER_ERROR(load_dataset(spec), "did you mean 'ag_news'");
}

}  // namespace
}  // namespace tpq::data
