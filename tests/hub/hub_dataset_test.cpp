// Datasets by name: the known names map to Hub dataset repos of CSV / TSV / JSONL files, fetched
// through the same client into datasets--{org}--{name}; Parquet-only repos are refused.
#include <filesystem>

#include <gtest/gtest.h>

#include "data/expect_user_error.h"
#include "hub/support/hub_test_support.h"
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

}  // namespace
