// Hub ids and revisions: the forms users write, the Hub's validation, URLs and cache folder names.
#include <gtest/gtest.h>

#include "support/user_error_matchers.h"
#include "hub/repo_ref.h"
#include "tpq/hub/resolve.h"

namespace {

using tpq::hub::parse_repo_ref;
using tpq::hub::RepoType;

TEST(HubRepoRef, TheThreeFormsParse) {
  EXPECT_EQ(parse_repo_ref("bert-base-uncased", RepoType::model).id, "bert-base-uncased");
  const auto google = parse_repo_ref("google/bert_uncased_L-4_H-256_A-4", RepoType::model);
  EXPECT_EQ(google.id, "google/bert_uncased_L-4_H-256_A-4");
  EXPECT_EQ(google.revision, "main");
  const auto pinned = parse_repo_ref("org/name@v1.0", RepoType::model);
  EXPECT_EQ(pinned.id, "org/name");
  EXPECT_EQ(pinned.revision, "v1.0");
  EXPECT_EQ(parse_repo_ref("org/name@refs/pr/3", RepoType::model).revision, "refs/pr/3");
}

TEST(HubRepoRef, FolderNamesAndUrlsAreThoseOfHuggingfaceHub) {
  EXPECT_EQ(tpq::hub::repo_folder_name(parse_repo_ref("bert-base-uncased", RepoType::model)),
            "models--bert-base-uncased");
  EXPECT_EQ(tpq::hub::repo_folder_name(parse_repo_ref("SetFit/sst2", RepoType::dataset)), "datasets--SetFit--sst2");
  EXPECT_EQ(tpq::hub::resolve_url("http://h", parse_repo_ref("o/n", RepoType::model), "refs/pr/3", "sub dir/a.json"),
            "http://h/o/n/resolve/refs%2Fpr%2F3/sub%20dir/a.json");
  EXPECT_EQ(tpq::hub::resolve_url("http://h", parse_repo_ref("o/n", RepoType::dataset), "main", "IMDB Dataset.csv"),
            "http://h/datasets/o/n/resolve/main/IMDB%20Dataset.csv");
}

TEST(HubRepoRef, InvalidIdsAreRefused) {
  for (const char* id : {"a/b/c", "-a/b", "a/b-", "a--b/c", "a/b..c", "a b", "", "/abs"}) {
    EXPECT_FALSE(tpq::hub::is_valid_repo_id(id)) << id;
  }
  TPQ_EXPECT_USER_ERROR(parse_repo_ref("a/b/c", RepoType::model), "'a/b/c'", "not a Hub model id");
}

TEST(HubRepoRef, PathsAreNotMistakenForIds) {
  EXPECT_TRUE(tpq::hub::looks_like_hub_id("bert-base-uncased"));
  EXPECT_TRUE(tpq::hub::looks_like_hub_id("org/name@main"));
  for (const char* path : {"./model", "/abs/model", "~/model", "results/baseline/model", "../x"}) {
    EXPECT_FALSE(tpq::hub::looks_like_hub_id(path)) << path;
  }
}

TEST(HubRepoRef, CommitHashesAreFortyLowercaseHexDigits) {
  EXPECT_TRUE(tpq::hub::is_commit_hash("0123456789abcdef0123456789abcdef01234567"));
  EXPECT_FALSE(tpq::hub::is_commit_hash("0123456789ABCDEF0123456789abcdef01234567"));
  EXPECT_FALSE(tpq::hub::is_commit_hash("main"));
}

}  // namespace
