// Downloads from the Hub stand-in into a scratch cache: byte-exact files in huggingface_hub's
// layout, reuse with the server gone, offline mode, where the token goes, resume, corruption.
#include <filesystem>

#include <gtest/gtest.h>

#include "support/user_error_matchers.h"
#include "hub/support/hub_test_support.h"
#include "tpq/hub/resolve.h"

namespace {

namespace fs = std::filesystem;
using tpq::testing::file_bytes;
using tpq::testing::HubTest;
using tpq::testing::kTinyCheckpointFiles;
using tpq::testing::kTinyRepo;

class HubDownload : public HubTest {};

TEST_F(HubDownload, FilesAreByteExactInTheHuggingFaceLayoutAndReloadWithTheServerStopped) {
  const auto resolved = tpq::hub::resolve_model(kTinyRepo, options());
  EXPECT_EQ(resolved.source, tpq::hub::RepoSource::download);
  EXPECT_EQ(resolved.commit, commit_);
  EXPECT_EQ(resolved.dir, repo_dir() / "snapshots" / commit_);
  EXPECT_EQ(file_bytes(repo_dir() / "refs" / "main"), commit_);  // no newline, as Python writes it
  for (const auto& name : kTinyCheckpointFiles) {
    const auto pointer = resolved.dir / name;
    ASSERT_TRUE(fs::is_symlink(pointer)) << name;
    EXPECT_EQ(fs::read_symlink(pointer).parent_path(), fs::path("../../blobs")) << name;
    EXPECT_EQ(file_bytes(pointer), file_bytes(fixture_ / name)) << name;
  }
  // The LFS blob is named by its sha256; absent optional files are recorded as Python records them.
  EXPECT_EQ(fs::read_symlink(resolved.dir / "model.safetensors").filename().string(),
            tpq::testing::sha256_file_hex(fixture_ / "model.safetensors"));
  EXPECT_TRUE(fs::exists(repo_dir() / ".no_exist" / commit_ / "special_tokens_map.json"));
  EXPECT_FALSE(fs::exists(resolved.dir / "reference.json"));
  for (const auto& name : tpq::testing::directory_names(repo_dir() / "blobs")) {
    EXPECT_EQ(name.find('.'), std::string::npos) << "left behind: " << name;  // no .incomplete / .lock
  }

  hub_->stop();
  const auto again = tpq::hub::resolve_model(kTinyRepo, options());
  EXPECT_EQ(again.source, tpq::hub::RepoSource::cache);
  EXPECT_EQ(again.dir, resolved.dir);
  EXPECT_EQ(again.commit, commit_);
  EXPECT_EQ(file_bytes(again.dir / "model.safetensors"), file_bytes(fixture_ / "model.safetensors"));
}

TEST_F(HubDownload, ARevisionByCommitAndTheRecordForMetrics) {
  const auto resolved = tpq::hub::resolve_model(std::string(kTinyRepo) + "@" + commit_, options());
  EXPECT_EQ(resolved.revision, commit_);
  EXPECT_FALSE(fs::exists(repo_dir() / "refs" / commit_));  // a commit needs no ref
  const auto record = resolved.to_json();
  EXPECT_EQ(record["id"], kTinyRepo);
  EXPECT_EQ(record["commit"], commit_);
  EXPECT_EQ(record["source"], "download");
}

TEST_F(HubDownload, OfflineUsesTheCacheAndNeverTheNetwork) {
  auto offline = options();
  offline.offline = true;
  TPQ_EXPECT_USER_ERROR(tpq::hub::resolve_model(kTinyRepo, offline), "HF_HUB_OFFLINE", "not in the cache",
                        repo_dir().string(), "tpq download tpq-test/tiny-bert-a");
  EXPECT_TRUE(hub_->requests().empty());

  tpq::hub::fetch_model(kTinyRepo, options());
  hub_->clear_requests();
  const auto cached = tpq::hub::fetch_model(kTinyRepo, offline);  // even fetch_model stays offline
  EXPECT_EQ(cached.source, tpq::hub::RepoSource::cache);
  EXPECT_EQ(cached.commit, commit_);
  EXPECT_TRUE(hub_->requests().empty());
}

TEST_F(HubDownload, TheTokenGoesToTheHubOnlyNeverToTheLfsHost) {
  auto with_token = options();
  with_token.token = "hf_stand_in_secret";
  tpq::hub::fetch_model(kTinyRepo, with_token);
  int hub_requests = 0, lfs_requests = 0;
  for (const auto& request : hub_->requests()) {
    if (request.server == "hub") {
      ++hub_requests;
      EXPECT_EQ(request.authorization, "Bearer hf_stand_in_secret") << request.path;
    } else {
      ++lfs_requests;
      EXPECT_EQ(request.authorization, "") << request.path;
    }
  }
  EXPECT_GT(hub_requests, 0);
  EXPECT_EQ(lfs_requests, 1);  // model.safetensors, the one LFS file
}

TEST_F(HubDownload, ADroppedConnectionResumesWithRangeAndTheRightSha256) {
  const auto size = fs::file_size(fixture_ / "model.safetensors");
  hub_->drop_connection_once("model.safetensors", size / 2);
  const auto resolved = tpq::hub::fetch_model(kTinyRepo, options());
  EXPECT_EQ(file_bytes(resolved.dir / "model.safetensors"), file_bytes(fixture_ / "model.safetensors"));
  std::vector<std::string> ranges;
  for (const auto& request : hub_->requests()) {
    if (request.server == "lfs") ranges.push_back(request.range);
  }
  ASSERT_EQ(ranges.size(), 2u);
  EXPECT_EQ(ranges[0], "");
  EXPECT_EQ(ranges[1], "bytes=" + std::to_string(size / 2) + "-");
}

TEST_F(HubDownload, APartialFileOfAnEarlierRunIsResumed) {
  // An earlier run stopped after 3 MB: its .incomplete blob holds a true prefix.
  const auto sha = tpq::testing::sha256_file_hex(fixture_ / "model.safetensors");
  const auto prefix = file_bytes(fixture_ / "model.safetensors").substr(0, 3000000);
  tpq::testing::write_text_file(repo_dir() / "blobs" / (sha + ".incomplete"), prefix);
  const auto resolved = tpq::hub::fetch_model(kTinyRepo, options());
  EXPECT_EQ(file_bytes(resolved.dir / "model.safetensors"), file_bytes(fixture_ / "model.safetensors"));
  for (const auto& request : hub_->requests()) {
    if (request.server == "lfs") {
      EXPECT_EQ(request.range, "bytes=3000000-");
    }
  }
}

TEST_F(HubDownload, AServerThatIgnoresRangeIsDownloadedWholeAgain) {
  const auto size = fs::file_size(fixture_ / "model.safetensors");
  hub_->drop_connection_once("model.safetensors", size / 3);
  hub_->ignore_range(true);
  const auto resolved = tpq::hub::fetch_model(kTinyRepo, options());
  EXPECT_EQ(file_bytes(resolved.dir / "model.safetensors"), file_bytes(fixture_ / "model.safetensors"));
}

TEST_F(HubDownload, ACorruptedBlobIsRefusedAndNothingAppearsInSnapshots) {
  hub_->corrupt("model.safetensors");
  TPQ_EXPECT_USER_ERROR(tpq::hub::fetch_model(kTinyRepo, options()), "sha256 mismatch", "model.safetensors",
                        kTinyRepo, "nothing was cached");
  EXPECT_TRUE(tpq::testing::directory_names(repo_dir() / "snapshots" / commit_).empty());
  const auto sha = tpq::testing::sha256_file_hex(fixture_ / "model.safetensors");
  EXPECT_FALSE(fs::exists(repo_dir() / "blobs" / sha));
  EXPECT_FALSE(fs::exists(repo_dir() / "blobs" / (sha + ".incomplete")));
}

TEST_F(HubDownload, FiveHundredsAreRetriedWithBackoff) {
  hub_->fail_next_requests(2, 503);
  const auto resolved = tpq::hub::fetch_model(kTinyRepo, options());
  EXPECT_EQ(resolved.commit, commit_);
  int unavailable = 0;
  for (const auto& request : hub_->requests()) unavailable += request.status == 503;
  EXPECT_EQ(unavailable, 2);
}

TEST_F(HubDownload, TheProxyEnvironmentVariablesAreUsed) {
  // hub.invalid never resolves: the files can only come through the proxy (the stand-in itself).
  ::setenv("http_proxy", hub_->endpoint().c_str(), 1);
  auto through_proxy = options();
  through_proxy.endpoint = "http://hub.invalid";
  through_proxy.token = "hf_via_proxy";
  const auto resolved = tpq::hub::fetch_model(kTinyRepo, through_proxy);
  ::unsetenv("http_proxy");
  EXPECT_EQ(file_bytes(resolved.dir / "model.safetensors"), file_bytes(fixture_ / "model.safetensors"));
  for (const auto& request : hub_->requests()) {
    if (request.server != "hub") continue;
    EXPECT_EQ(request.path.rfind("http://hub.invalid/", 0), 0u) << request.path;  // absolute form: via the proxy
    EXPECT_EQ(request.authorization, "Bearer hf_via_proxy");
  }
}

TEST_F(HubDownload, ARenamedRepoIsFollowedOnTheSameHost) {
  hub_->add_rename("old-name/tiny-bert-a", "tpq-test/tiny-bert-a");
  const auto resolved = tpq::hub::fetch_model("old-name/tiny-bert-a", options());
  EXPECT_EQ(resolved.commit, commit_);
  EXPECT_EQ(file_bytes(resolved.dir / "config.json"), file_bytes(fixture_ / "config.json"));
}

TEST_F(HubDownload, ShardedSafetensorsAreFetchedWithTheirIndex) {
  tpq::testing::ScratchDir sharded;
  for (const auto* name : {"config.json", "vocab.txt"}) fs::copy_file(fixture_ / name, sharded / name);
  const std::string index = R"({"metadata": {}, "weight_map": {"a": "model-00001-of-00002.safetensors",
                                "b": "model-00002-of-00002.safetensors", "c": "model-00001-of-00002.safetensors"}})";
  tpq::testing::write_text_file(sharded / "model.safetensors.index.json", index);
  tpq::testing::write_text_file(sharded / "model-00001-of-00002.safetensors", "first shard");
  tpq::testing::write_text_file(sharded / "model-00002-of-00002.safetensors", "second shard");
  const auto commit = hub_->add_repo("tpq-test/sharded", sharded.path());
  const auto resolved = tpq::hub::resolve_model("tpq-test/sharded", options());
  EXPECT_EQ(resolved.commit, commit);
  EXPECT_EQ(file_bytes(resolved.dir / "model-00002-of-00002.safetensors"), "second shard");
  EXPECT_EQ(file_bytes(resolved.dir / "model.safetensors.index.json"), index);
  hub_->stop();
  EXPECT_EQ(tpq::hub::resolve_model("tpq-test/sharded", options()).source, tpq::hub::RepoSource::cache);
}

TEST_F(HubDownload, ARepoWithOnlyPytorchModelBinIsAClearError) {
  tpq::testing::ScratchDir pickle_only;
  fs::copy_file(fixture_ / "config.json", pickle_only / "config.json");
  tpq::testing::write_text_file(pickle_only / "pytorch_model.bin", "PK not really a zip");
  hub_->add_repo("tpq-test/pickle-only", pickle_only.path());
  TPQ_EXPECT_USER_ERROR(tpq::hub::fetch_model("tpq-test/pickle-only", options()), "tpq-test/pickle-only",
                        "pytorch_model.bin", "safetensors");
}

}  // namespace
