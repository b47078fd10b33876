// One cache for tpq and Python: a cache laid out as huggingface_hub lays it out is reused as is,
// and, where Debian's python3 and the pinned huggingface_hub 0.16.4 are at hand, the real Python
// client writes the same tree as tpq and reads tpq's cache offline.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "hub/support/hub_test_support.h"
#include "test_paths.h"
#include "tpq/hub/resolve.h"

namespace {

namespace fs = std::filesystem;
using tpq::testing::file_bytes;
using tpq::testing::HubTest;
using tpq::testing::kTinyCheckpointFiles;
using tpq::testing::kTinyRepo;

class HubPythonCache : public HubTest {
 protected:
  // What huggingface_hub 0.16 leaves after hf_hub_download of each file (file_download.py): refs/main
  // without a newline, blobs named by ETag (git blob id, or sha256 for LFS), relative links.
  void lay_out_as_python() {
    const auto root = repo_dir();
    fs::create_directories(root / "refs");
    std::ofstream(root / "refs" / "main", std::ios::binary) << commit_;
    fs::create_directories(root / "blobs");
    fs::create_directories(root / "snapshots" / commit_);
    for (const auto& name : kTinyCheckpointFiles) {
      const std::string etag = etag_of(name);
      fs::copy_file(fixture_ / name, root / "blobs" / etag);
      fs::create_symlink(fs::path("../../blobs") / etag, root / "snapshots" / commit_ / name);
    }
  }

  // The Hub's ETag for a file: the sha256 of an LFS file, the git blob id of any other.
  std::string etag_of(const std::string& name) const {
    return name == "model.safetensors" ? tpq::testing::sha256_file_hex(fixture_ / name)
                                       : tpq::testing::git_blob_id_hex(fixture_ / name);
  }
};

TEST_F(HubPythonCache, APythonLaidOutCacheIsReusedWithoutTheNetwork) {
  lay_out_as_python();
  hub_->clear_requests();
  const auto resolved = tpq::hub::resolve_model(kTinyRepo, options());
  EXPECT_EQ(resolved.source, tpq::hub::RepoSource::cache);
  EXPECT_EQ(resolved.dir, repo_dir() / "snapshots" / commit_);
  EXPECT_TRUE(hub_->requests().empty());
}

TEST_F(HubPythonCache, FetchingIntoAPythonCacheDownloadsNoBlobAgain) {
  lay_out_as_python();
  const auto blobs_before = tpq::testing::directory_names(repo_dir() / "blobs");
  hub_->clear_requests();
  const auto resolved = tpq::hub::fetch_model(kTinyRepo, options());
  EXPECT_EQ(resolved.source, tpq::hub::RepoSource::cache);
  for (const auto& request : hub_->requests()) EXPECT_EQ(request.method, "HEAD") << request.path;
  EXPECT_EQ(tpq::testing::directory_names(repo_dir() / "blobs"), blobs_before);
}

// Runs huggingface_hub 0.16.4 (the pinned copy beside the fixtures) under Debian's python3.
class RealHuggingfaceHub : public HubTest {
 protected:
  void SetUp() override {
    HubTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    const fs::path tarball = fs::path(TPQ_DEFAULT_FIXTURES_DIR).parent_path() / "tools" / "hf-python" /
                             "site-transformers-4.31.0.tar.gz";
    const auto probe = tpq::testing::run_command("/usr/bin/python3 -c 'import requests, filelock, tqdm, yaml, packaging'");
    TPQ_SKIP_UNLESS(fs::exists(tarball) && probe.exit_code == 0,
                    "needs " << tarball << " and Debian's python3-requests, -filelock, -tqdm, -yaml, -packaging "
                    "(scripts/setup.sh installs them)");
    const auto unpack = tpq::testing::run_command("tar -xzf '" + tarball.string() + "' -C '" + scratch_.path().string() +
                                                  "' site/huggingface_hub");
    ASSERT_EQ(unpack.exit_code, 0) << unpack.output;
  }

  // Python code run with huggingface_hub importable, HF_ENDPOINT at the stand-in, HF_HUB_CACHE = cache.
  tpq::testing::CommandResult python(const std::string& code, const fs::path& cache, bool offline = false) {
    tpq::testing::write_text_file(scratch_ / "script.py", code);
    return tpq::testing::run_command("env -u HF_TOKEN PYTHONPATH='" + (scratch_ / "site").string() + "' HF_ENDPOINT=" +
                                     hub_->endpoint() + " HF_HUB_CACHE='" + cache.string() +
                                     "' HUGGINGFACE_HUB_CACHE='" + cache.string() + "' HF_HUB_OFFLINE=" +
                                     (offline ? "1" : "0") + " no_proxy=127.0.0.1 /usr/bin/python3 '" +
                                     (scratch_ / "script.py").string() + "'");
  }

  // Every path under `root` with what it is: "L target" for links, "F content-size" for files.
  static std::vector<std::string> tree(const fs::path& root) {
    std::vector<std::string> entries;
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
      const auto relative = fs::relative(it->path(), root).string();
      if (it->is_symlink()) {
        entries.push_back(relative + " L " + fs::read_symlink(it->path()).string());
      } else if (it->is_regular_file()) {
        entries.push_back(relative + " F " + std::to_string(it->file_size()));
      } else {
        entries.push_back(relative + " D");
      }
    }
    std::sort(entries.begin(), entries.end());
    return entries;
  }
};

TEST_F(RealHuggingfaceHub, WritesTheSameTreeAsTpqAndReadsTpqsCacheOffline) {
  const fs::path python_cache = scratch_ / "python-cache";
  std::string files;
  for (const auto& name : kTinyCheckpointFiles) files += "'" + name + "',";
  const auto fetched = python(
      "from huggingface_hub import hf_hub_download\n"
      "from huggingface_hub.utils import EntryNotFoundError\n"
      "for name in [" + files + "]:\n"
      "    hf_hub_download('" + std::string(kTinyRepo) + "', name)\n"
      "for name in ['vocab.json', 'merges.txt', 'sentencepiece.model', 'special_tokens_map.json']:\n"
      "    try:\n"
      "        hf_hub_download('" + std::string(kTinyRepo) + "', name)\n"
      "    except EntryNotFoundError:\n"
      "        pass\n",
      python_cache);
  ASSERT_EQ(fetched.exit_code, 0) << fetched.output;

  tpq::hub::fetch_model(kTinyRepo, options());
  EXPECT_EQ(tree(python_cache / "models--tpq-test--tiny-bert-a"), tree(repo_dir()));

  const auto reads = python(
      "from huggingface_hub import hf_hub_download\n"
      "path = hf_hub_download('" + std::string(kTinyRepo) + "', 'model.safetensors')\n"
      "print(open(path, 'rb').read() == open('" + (fixture_ / "model.safetensors").string() + "', 'rb').read())\n",
      cache_dir(), /*offline=*/true);
  ASSERT_EQ(reads.exit_code, 0) << reads.output;
  EXPECT_NE(reads.output.find("True"), std::string::npos) << reads.output;
}

}  // namespace
