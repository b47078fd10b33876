// The blob lock: a second holder waits for the first, and the lock file is gone afterwards.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include <gtest/gtest.h>

#include "hub/file_lock.h"
#include "support/fixtures.h"

namespace {

TEST(HubFileLock, ASecondProcessWaitsForTheFirstAndTheFileIsRemoved) {
  tpq::testing::ScratchDir scratch;
  const auto path = scratch / "blob.lock";
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // holds the lock for 400 ms
    {
      tpq::hub::FileLock lock(path);
      char byte = 1;
      if (::write(ready[1], &byte, 1) != 1) ::_exit(2);
      ::usleep(400 * 1000);
    }
    ::_exit(0);
  }
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  bool waited = false;
  const auto start = std::chrono::steady_clock::now();
  {
    tpq::hub::FileLock lock(path, [&] { waited = true; });
    EXPECT_TRUE(waited);
    EXPECT_GT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
    EXPECT_TRUE(std::filesystem::exists(path));
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ::close(ready[0]);
  ::close(ready[1]);
}

}  // namespace
