// Tests for tpq/io/atomic_file.h: round trips, replace-not-tear semantics, temp-file cleanup on every
// failure path (missing directory, rename failure, disk full on a tiny tmpfs) and JSON error messages.
#include "tpq/io/atomic_file.h"

#include <sys/mount.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "support/fixtures.h"
#include "support/user_error_matchers.h"

namespace tpq::io {
namespace {

namespace fs = std::filesystem;
using tpq::testing::contains;
using tpq::testing::ScratchDir;
using tpq::testing::user_error_of;

using tpq::testing::entries_in;

// A 64 KiB tmpfs mounted for the test's lifetime, to produce a real ENOSPC.
class TinyTmpfs {
 public:
  explicit TinyTmpfs(const fs::path& directory) : directory_(directory) {
    fs::create_directories(directory_);
    mounted_ = ::mount("tmpfs", directory_.c_str(), "tmpfs", 0, "size=64k") == 0;
  }
  ~TinyTmpfs() {
    if (mounted_) ::umount2(directory_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }

 private:
  fs::path directory_;
  bool mounted_ = false;
};

TEST(AtomicFile, RoundTripsBinaryContent) {
  ScratchDir scratch;
  const std::string contents("binary\0bytes\xff\n", 15);
  write_file_atomic(scratch / "out.bin", contents);
  EXPECT_EQ(read_file(scratch / "out.bin"), contents);
  write_file_atomic(scratch / "empty", "");
  EXPECT_EQ(read_file(scratch / "empty"), "");
  EXPECT_EQ(entries_in(scratch.path()), (std::vector<std::string>{"empty", "out.bin"}));
}

TEST(AtomicFile, OverwriteReplacesContentAndLeavesNoTempFile) {
  ScratchDir scratch;
  write_file_atomic(scratch / "state.txt", "old content that is longer");
  write_file_atomic(scratch / "state.txt", "new");
  EXPECT_EQ(read_file(scratch / "state.txt"), "new");
  EXPECT_EQ(entries_in(scratch.path()), std::vector<std::string>{"state.txt"});
}

TEST(AtomicFile, OverwriteKeepsPermissionBits) {
  ScratchDir scratch;
  write_file_atomic(scratch / "secret.txt", "v1");
  fs::permissions(scratch / "secret.txt", fs::perms::owner_read | fs::perms::owner_write);
  write_file_atomic(scratch / "secret.txt", "v2");
  EXPECT_EQ(fs::status(scratch / "secret.txt").permissions(), fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(read_file(scratch / "secret.txt"), "v2");
}

TEST(AtomicFile, ConcurrentReaderSeesOldOrNewNeverTorn) {
  ScratchDir scratch;
  const auto path = scratch / "shared.txt";
  const std::string old_text(100000, 'o');
  const std::string new_text(100000, 'n');
  write_file_atomic(path, old_text);
  std::atomic<bool> done{false};
  std::atomic<int> torn{0};
  std::thread reader([&] {
    while (!done) {
      const std::string seen = read_file(path);
      if (seen != old_text && seen != new_text) ++torn;
    }
  });
  for (int i = 0; i < 50; ++i) write_file_atomic(path, i % 2 == 0 ? new_text : old_text);
  done = true;
  reader.join();
  EXPECT_EQ(torn, 0);
  EXPECT_EQ(entries_in(scratch.path()), std::vector<std::string>{"shared.txt"});
}

TEST(AtomicFile, MissingParentDirectoryIsNamed) {
  ScratchDir scratch;
  const std::string message = user_error_of([&] { write_file_atomic(scratch / "no-such-dir" / "out.txt", "x"); });
  EXPECT_TRUE(contains(message, "no-such-dir"));
  EXPECT_TRUE(contains(message, "does not exist"));
  EXPECT_TRUE(entries_in(scratch.path()).empty());
}

TEST(AtomicFile, ParentThatIsAFileIsRejected) {
  ScratchDir scratch;
  write_file_atomic(scratch / "plain", "I am a file");
  const std::string message = user_error_of([&] { write_file_atomic(scratch / "plain" / "out.txt", "x"); });
  EXPECT_TRUE(contains(message, "is not a directory"));
  EXPECT_EQ(entries_in(scratch.path()), std::vector<std::string>{"plain"});
}

TEST(AtomicFile, FailedRenameRemovesTempFile) {
  ScratchDir scratch;
  // rename() cannot replace a non-empty directory, so the failure comes after all bytes are written.
  fs::create_directories(scratch / "target" / "child");
  const std::string message = user_error_of([&] { write_file_atomic(scratch / "target", "data"); });
  EXPECT_TRUE(contains(message, "target"));
  EXPECT_EQ(entries_in(scratch.path()), std::vector<std::string>{"target"});
}

TEST(AtomicFile, WriterDroppedWithoutCommitLeavesTargetUntouched) {
  ScratchDir scratch;
  write_file_atomic(scratch / "kept.txt", "original");
  {
    AtomicFileWriter writer(scratch / "kept.txt");
    writer.write("partial");
    EXPECT_TRUE(fs::exists(writer.temp_path()));
    EXPECT_TRUE(contains(writer.temp_path().filename().string(), "kept.txt.tmp."));
  }
  EXPECT_EQ(read_file(scratch / "kept.txt"), "original");
  EXPECT_EQ(entries_in(scratch.path()), std::vector<std::string>{"kept.txt"});
}

TEST(AtomicFile, DiskFullIsUserErrorAndKeepsOldContent) {
  ScratchDir scratch;
  TinyTmpfs tmpfs(scratch / "tiny");
  TPQ_SKIP_UNLESS(tmpfs.mounted(), "cannot mount a tmpfs here (needs root / CAP_SYS_ADMIN)");
  const auto path = scratch / "tiny" / "big.bin";
  write_file_atomic(path, "old");
  const std::string message = user_error_of([&] { write_file_atomic(path, std::string(1 << 20, 'x')); });
  EXPECT_TRUE(contains(message, "disk full while writing"));
  EXPECT_TRUE(contains(message, "big.bin"));
  EXPECT_EQ(read_file(path), "old");
  EXPECT_EQ(entries_in(scratch / "tiny"), std::vector<std::string>{"big.bin"});
}

TEST(AtomicFile, ReadMissingFileOrDirectoryIsUserError) {
  ScratchDir scratch;
  EXPECT_TRUE(contains(user_error_of([&] { read_file(scratch / "absent.txt"); }), "absent.txt: file not found"));
  EXPECT_TRUE(contains(user_error_of([&] { read_file(scratch.path()); }), "is a directory"));
}

TEST(AtomicFile, JsonRoundTripIsPrettyPrinted) {
  ScratchDir scratch;
  const nlohmann::json value = {{"name", "tiny-bert"}, {"layers", 2}, {"unicode", "gr\u00fc\u00df"}};
  write_json_atomic(scratch / "config.json", value);
  const std::string text = read_file(scratch / "config.json");
  EXPECT_EQ(text, value.dump(2) + "\n");
  EXPECT_EQ(read_json_file(scratch / "config.json"), value);
}

TEST(AtomicFile, JsonWithInvalidUtf8IsUserErrorAndWritesNothing) {
  ScratchDir scratch;
  const nlohmann::json value = {{"bad", std::string("\xff\xfe")}};
  EXPECT_TRUE(contains(user_error_of([&] { write_json_atomic(scratch / "bad.json", value); }), "bad.json"));
  EXPECT_TRUE(entries_in(scratch.path()).empty());
}

TEST(AtomicFile, JsonSyntaxErrorNamesFileLineAndColumn) {
  ScratchDir scratch;
  tpq::testing::write_text_file(scratch / "broken.json", "{\n  \"a\": 1,\n  \"b\": ,\n  \"c\": 3\n}\n");
  const std::string message = user_error_of([&] { read_json_file(scratch / "broken.json"); });
  EXPECT_TRUE(contains(message, "broken.json:3:8: invalid JSON"));
  EXPECT_TRUE(contains(message, "unexpected ','"));
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace tpq::io
