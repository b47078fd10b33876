// Datasets by name: the known names map to Hub dataset repos of CSV / TSV / JSONL files, fetched
// through the same client into datasets--{org}--{name}; Parquet-only repos are refused.
#include <cstdlib>
#include <filesystem>
#include <optional>

#include <gtest/gtest.h>

#include "support/user_error_matchers.h"
#include "hub/support/hub_test_support.h"
#include "tpq/data/dataset_spec.h"
#include "tpq/hub/resolve.h"

namespace {

namespace fs = std::filesystem;
using tpq::testing::file_bytes;
using tpq::testing::HubTest;

class HubDataset : public HubTest {
 protected:
  // Serves `files` (name, content) as dataset repo `id`; returns the commit.
  std::string serve_dataset(const std::string& id, const std::vector<std::pair<std::string, std::string>>& files) {
    tpq::testing::StandInRepoOptions options;
    options.dataset = true;
    options.extra_files = files;
    return hub_->add_repo(id, empty_.path(), options);
  }
  tpq::testing::ScratchDir empty_;
};

TEST_F(HubDataset, AKnownNameFetchesItsFilesAndReloadsOffline) {
  const std::string train = "{\"text\": \"a fine film\", \"label\": 1}\n";
  const auto commit = serve_dataset("SetFit/sst2", {{"train.jsonl", train},
                                                    {"validation.jsonl", "{\"text\": \"dull\", \"label\": 0}\n"},
                                                    {"test.jsonl", "{\"text\": \"ok\", \"label\": 1}\n"},
                                                    {"README.md", "# sst2\n"}});
  const auto resolved = tpq::hub::resolve_dataset("sst2", {}, options());
  EXPECT_EQ(resolved.id, "SetFit/sst2");
  EXPECT_EQ(resolved.commit, commit);
  EXPECT_EQ(resolved.dir, cache_dir() / "datasets--SetFit--sst2" / "snapshots" / commit);
  EXPECT_EQ(resolved.files, (std::vector<std::string>{"train.jsonl", "validation.jsonl", "test.jsonl"}));
  EXPECT_EQ(file_bytes(resolved.dir / "train.jsonl"), train);
  EXPECT_FALSE(fs::exists(resolved.dir / "README.md"));

  hub_->stop();
  auto offline = options();
  offline.offline = true;
  const auto cached = tpq::hub::resolve_dataset("sst2", {}, offline);
  EXPECT_EQ(cached.source, tpq::hub::RepoSource::cache);
  EXPECT_EQ(cached.dir, resolved.dir);
}

TEST_F(HubDataset, WithoutAFileListTheRepoListingGivesItsTables) {
  serve_dataset("tpq-test/mixed", {{"b.tsv", "text\tlabel\n"}, {"a.csv", "text,label\n"}, {"c.jsonl", "{}\n"},
                                   {"README.md", "#\n"}, {"d.parquet", "PAR1"}});
  const auto resolved = tpq::hub::fetch_dataset("tpq-test/mixed", {}, options());
  EXPECT_EQ(resolved.files, (std::vector<std::string>{"a.csv", "b.tsv", "c.jsonl"}));
  EXPECT_EQ(file_bytes(resolved.dir / "b.tsv"), "text\tlabel\n");
}

TEST_F(HubDataset, AParquetOnlyRepoIsAClearError) {
  serve_dataset("tpq-test/parquet", {{"train.parquet", "PAR1"}, {"README.md", "#\n"}});
  TPQ_EXPECT_USER_ERROR(tpq::hub::fetch_dataset("tpq-test/parquet", {}, options()), "dataset 'tpq-test/parquet'",
                        "only Parquet", "CSV, TSV or JSONL");
  TPQ_EXPECT_USER_ERROR(tpq::hub::fetch_dataset("tpq-test/parquet", {"train.parquet"}, options()), "Parquet",
                        "data.hub_files");
}

TEST_F(HubDataset, OfflineWithoutTheFilesSaysHowToFetchThem) {
  auto offline = options();
  offline.offline = true;
  TPQ_EXPECT_USER_ERROR(tpq::hub::resolve_dataset("ag_news", {}, offline), "dataset 'SetFit/ag_news'",
                        "tpq download --dataset SetFit/ag_news", "datasets--SetFit--ag_news");
  EXPECT_TRUE(hub_->requests().empty());
}

// Sets environment variables for one test and restores them (load_dataset reads HubOptions from it).
class ScopedEnvironment {
 public:
  void set(const std::string& name, const std::optional<std::string>& value) {
    const char* old = std::getenv(name.c_str());
    saved_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
    value ? ::setenv(name.c_str(), value->c_str(), 1) : ::unsetenv(name.c_str());
  }
  ~ScopedEnvironment() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      it->second ? ::setenv(it->first.c_str(), it->second->c_str(), 1) : ::unsetenv(it->first.c_str());
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

std::string jsonl_rows(const std::string& prefix, int count, int labels) {
  std::string rows;
  for (int i = 0; i < count; ++i) {
    rows += "{\"text\": \"" + prefix + " " + std::to_string(i) + "\", \"label\": " + std::to_string(i % labels) + "}\n";
  }
  return rows;
}

class HubDatasetByName : public HubDataset {
 protected:
  void SetUp() override {
    HubDataset::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    environment_.set("HF_ENDPOINT", hub_->endpoint());
    environment_.set("HF_HUB_CACHE", cache_dir().string());
    environment_.set("HF_HUB_OFFLINE", std::nullopt);
    environment_.set("HF_HUB_DISABLE_PROGRESS_BARS", "1");
  }
  ScopedEnvironment environment_;
};

TEST_F(HubDatasetByName, Sst2WithoutAPathComesFromItsHubRepoWithItsSplitsLabelsAndCommit) {
  const auto commit = serve_dataset("SetFit/sst2", {{"train.jsonl", jsonl_rows("train", 40, 2)},
                                                    {"validation.jsonl", jsonl_rows("dev", 10, 2)},
                                                    {"test.jsonl", jsonl_rows("test", 12, 2)}});
  tpq::data::DatasetSpec spec;
  spec.name = "sst2";
  const auto splits = tpq::data::load_dataset(spec);
  EXPECT_EQ(splits.train.size(), 40u);
  EXPECT_EQ(splits.validation.size(), 10u);
  EXPECT_EQ(splits.test.size(), 12u);
  for (const auto& example : splits.test.examples) EXPECT_EQ(example.text.rfind("test ", 0), 0u) << example.text;
  EXPECT_EQ(splits.train.label_names, (std::vector<std::string>{"negative", "positive"}));
  EXPECT_EQ(splits.hub_source.value("id", ""), "SetFit/sst2");
  EXPECT_EQ(splits.hub_source.value("commit", ""), commit);
  EXPECT_EQ(tpq::data::dataset_task(spec), "sentiment");
}

TEST_F(HubDatasetByName, AgNewsIsFourTopicsAndItsValidationIsCarvedFromTrain) {
  serve_dataset("SetFit/ag_news", {{"train.jsonl", jsonl_rows("news", 80, 4)}, {"test.jsonl", jsonl_rows("test", 8, 4)}});
  tpq::data::DatasetSpec spec;
  spec.name = "ag_news";
  const auto splits = tpq::data::load_dataset(spec);
  EXPECT_EQ(splits.train.label_names, (std::vector<std::string>{"World", "Sports", "Business", "Sci/Tech"}));
  EXPECT_EQ(splits.test.size(), 8u);
  EXPECT_EQ(splits.train.size() + splits.validation.size(), 80u);
  EXPECT_GT(splits.validation.size(), 0u);
  EXPECT_EQ(tpq::data::dataset_task(spec), "topic");
}

TEST_F(HubDatasetByName, AnyRepoOfTablesWithItsOwnColumnsAndFiles) {
  std::string csv = "review,sentiment\n";
  for (int i = 0; i < 30; ++i) csv += "\"text, number " + std::to_string(i) + "\"," + (i % 3 ? "pos" : "neg") + "\n";
  serve_dataset("someone/reviews", {{"train.csv", csv}, {"notes.csv", "a,b\n1,2\n"}});
  tpq::data::DatasetSpec spec;
  spec.name = "reviews";
  spec.format = "csv";
  spec.hub_repo = "someone/reviews";
  spec.hub_files = {"train.csv"};
  spec.text_column = "review";
  spec.label_column = "sentiment";
  spec.label_names = {"neg", "pos"};
  const auto splits = tpq::data::load_dataset(spec);
  EXPECT_EQ(splits.train.size() + splits.validation.size() + splits.test.size(), 30u);
  EXPECT_EQ(splits.hub_source.value("files", nlohmann::json()), nlohmann::json({"train.csv"}));
  spec.hub_files = {"train.csv", "notes.csv"};  // notes.csv names no split
  TPQ_EXPECT_USER_ERROR(tpq::data::load_dataset(spec), "notes.csv", "train*");
}

}  // namespace
