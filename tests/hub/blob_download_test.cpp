// Streaming into a blob: disk full is one clear line, before the download when the free space is
// known to be short, and while writing otherwise.
#include <gtest/gtest.h>

#include "support/user_error_matchers.h"
#include "hub/blob_download.h"
#include "hub/http_session.h"
#include "hub/support/hub_test_support.h"

namespace {

using tpq::testing::HubTest;

class HubBlobDownload : public HubTest {};

tpq::hub::RemoteFile config_file(const std::string& endpoint, std::uint64_t size) {
  tpq::hub::RemoteFile file;
  file.name = "config.json";
  file.etag = "0000";
  file.size = size;
  file.download_url = endpoint + "/" + tpq::testing::kTinyRepo + "/resolve/main/config.json";
  return file;
}

TEST_F(HubBlobDownload, DiskFullWhileWritingIsOneClearLine) {
  const auto options = this->options();
  tpq::hub::HttpSession session(options);
  const auto file = config_file(hub_->endpoint(), std::filesystem::file_size(fixture_ / "config.json"));
  // Writes to /dev/full fail with ENOSPC, as on a full disk.
  TPQ_EXPECT_USER_ERROR(tpq::hub::download_blob(session, file, "/dev/full", "model 'x'", options), "disk full",
                        "config.json", "HF_HUB_CACHE");
}

TEST_F(HubBlobDownload, TooLittleFreeSpaceIsRefusedBeforeDownloading) {
  const auto options = this->options();
  tpq::hub::HttpSession session(options);
  const auto file = config_file(hub_->endpoint(), 1ULL << 60);
  TPQ_EXPECT_USER_ERROR(
      tpq::hub::download_blob(session, file, scratch_ / "blob.incomplete", "model 'x'", options), "disk full",
      "needs", "free in", scratch_.path().string());
  EXPECT_TRUE(hub_->requests().empty());
  EXPECT_FALSE(std::filesystem::exists(scratch_ / "blob.incomplete"));
}

}  // namespace
