// `tpq download` as a user runs it: the snapshot directory on stdout, one-line errors, the token
// never printed, and two processes fetching the same files at once sharing one blob each.

#include <chrono>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "hub/support/hub_test_support.h"
#include "support/child_process.h"

namespace {

namespace fs = std::filesystem;
using tpq::testing::file_bytes;
using tpq::testing::HubTest;
using tpq::testing::kTinyRepo;
using tpq::testing::run_command;

class DownloadCli : public HubTest {
 protected:
  std::string download(const std::string& arguments, const std::string& environment = "") const {
    return cli_environment() + environment + " " + tpq::testing::cli_path() + " download " + arguments;
  }
};

TEST_F(DownloadCli, PrintsTheSnapshotDirectoryAndFetchesByteExactFiles) {
  // The snapshot directory alone on stdout (logs go to stderr, dropped here; run_command adds 2>&1).
  const auto result = run_command("(" + download(std::string(kTinyRepo) + " --revision main") + " 2>/dev/null)");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto snapshot = repo_dir() / "snapshots" / commit_;
  EXPECT_EQ(result.output, snapshot.string() + "\n");
  for (const auto& name : tpq::testing::kTinyCheckpointFiles) {
    EXPECT_EQ(file_bytes(snapshot / name), file_bytes(fixture_ / name)) << name;
  }
}

TEST_F(DownloadCli, ErrorsAreOneLineAndExitTwo) {
  const auto result = run_command(download("tpq-test/absent"));
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("tpq: error: model 'tpq-test/absent' not found"), std::string::npos) << result.output;
  const auto offline = run_command(download(kTinyRepo, "HF_HUB_OFFLINE=1"));
  EXPECT_EQ(offline.exit_code, 2);
  EXPECT_NE(offline.output.find(repo_dir().string()), std::string::npos) << offline.output;
}

TEST_F(DownloadCli, TheTokenIsSentButNeverPrinted) {
  tpq::testing::StandInRepoOptions private_repo;
  private_repo.private_repo = true;
  hub_->add_repo("tpq-test/private", fixture_, private_repo);
  hub_->set_token("hf_secret_42");
  const auto good = run_command(download("tpq-test/private", "HF_TOKEN=hf_secret_42") + " --log-level trace");
  EXPECT_EQ(good.exit_code, 0) << good.output;
  const auto bad = run_command(download("tpq-test/private", "HF_TOKEN=hf_wrong_43") + " --log-level trace");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.output.find("HF_TOKEN"), std::string::npos) << bad.output;
  EXPECT_EQ(good.output.find("hf_secret_42"), std::string::npos) << good.output;
  EXPECT_EQ(bad.output.find("hf_wrong_43"), std::string::npos) << bad.output;
}

TEST_F(DownloadCli, TwoProcessesFetchingTheSameFileShareOneBlob) {
  hub_->throttle(2'000'000);  // the 8 MB LFS file takes 4 s: long enough for the second process to meet it
  const pid_t first = tpq::testing::start_in_background(download(kTinyRepo), scratch_ / "first.log");
  // Start the second once the first holds the lock and streams the LFS file into its .incomplete blob.
  const auto incomplete =
      repo_dir() / "blobs" / (tpq::testing::sha256_file_hex(fixture_ / "model.safetensors") + ".incomplete");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(incomplete) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(fs::exists(incomplete)) << file_bytes(scratch_ / "first.log");
  const pid_t second = tpq::testing::start_in_background(download(kTinyRepo), scratch_ / "second.log");
  EXPECT_EQ(tpq::testing::exit_code_of(tpq::testing::wait_for_exit(first)), 0) << file_bytes(scratch_ / "first.log");
  EXPECT_EQ(tpq::testing::exit_code_of(tpq::testing::wait_for_exit(second)), 0) << file_bytes(scratch_ / "second.log");

  EXPECT_NE(file_bytes(scratch_ / "second.log").find("another process is downloading 'model.safetensors'"),
            std::string::npos)
      << file_bytes(scratch_ / "second.log");
  int lfs_gets = 0;
  for (const auto& request : hub_->requests()) lfs_gets += request.server == "lfs";
  EXPECT_EQ(lfs_gets, 1);
  const auto blobs = tpq::testing::directory_names(repo_dir() / "blobs");
  EXPECT_EQ(blobs.size(), tpq::testing::kTinyCheckpointFiles.size());  // one blob per file, no .lock/.incomplete
  for (const auto& name : blobs) EXPECT_EQ(name.find('.'), std::string::npos) << name;
  const auto snapshot = repo_dir() / "snapshots" / commit_;
  EXPECT_EQ(file_bytes(snapshot / "model.safetensors"), file_bytes(fixture_ / "model.safetensors"));
}

}  // namespace
