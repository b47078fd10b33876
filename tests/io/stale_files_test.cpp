// Leftovers of killed writers: removed when their pid is gone, kept while it runs; a checkpoint
// whose save was killed between its two renames is restored.
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "support/result_files.h"
#include "tpq/io/stale_files.h"

namespace {

namespace fs = std::filesystem;
using tpq::testing::write_text_file;

// A pid that no longer runs: a child that has exited and been reaped.
std::string dead_pid() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  ::waitpid(pid, nullptr, 0);
  return std::to_string(pid);
}

TEST(StaleFiles, RecognisesTheWritersNames) {
  EXPECT_TRUE(tpq::io::is_work_in_progress_name("metrics.json.tmp.123.ab12"));
  EXPECT_TRUE(tpq::io::is_work_in_progress_name("model.partial-99"));
  EXPECT_TRUE(tpq::io::is_work_in_progress_name("model.old-7"));
  EXPECT_FALSE(tpq::io::is_work_in_progress_name("metrics.json"));
  EXPECT_FALSE(tpq::io::is_work_in_progress_name("notes.tmp"));
  EXPECT_FALSE(tpq::io::is_work_in_progress_name("model.partial-x"));
}

TEST(StaleFiles, RemovesLeftoversOfDeadWritersOnly) {
  tpq::testing::ScratchDir scratch;
  const std::string dead = dead_pid(), alive = std::to_string(::getpid());
  write_text_file(scratch / "metrics.json", "{}");
  write_text_file(scratch / ("metrics.json.tmp." + dead + ".1f"), "{\"torn");
  write_text_file(scratch / ("metrics.json.tmp." + alive + ".2e"), "in progress");
  write_text_file(scratch / "sub" / ("config.json.tmp." + dead + ".3d"), "{");
  write_text_file(scratch / ("model.partial-" + dead) / "config.json", "{}");
  write_text_file(scratch / "model" / "config.json", "{\"new\": 1}");
  write_text_file(scratch / "huge.tmp.99999999999.0", "pid out of range: stale");

  EXPECT_EQ(tpq::io::clean_stale_work_files(scratch.path()), 4u);
  EXPECT_EQ(tpq::testing::list_files(scratch.path()),
            (std::vector<std::string>{"metrics.json", "metrics.json.tmp." + alive + ".2e", "model/config.json"}));
}

TEST(StaleFiles, RestoresACheckpointKilledBetweenItsRenames) {
  tpq::testing::ScratchDir scratch;
  const std::string dead = dead_pid();
  write_text_file(scratch / ("model.old-" + dead) / "config.json", "{\"old\": 1}");
  EXPECT_EQ(tpq::io::clean_stale_work_files(scratch.path(), /*recursive=*/false), 1u);
  EXPECT_EQ(tpq::testing::read_json_file(scratch / "model" / "config.json")["old"], 1);
  EXPECT_FALSE(fs::exists(scratch / ("model.old-" + dead)));
}

TEST(StaleFiles, NonRecursiveLeavesSubdirectoriesAlone) {
  tpq::testing::ScratchDir scratch;
  const std::string dead = dead_pid();
  write_text_file(scratch / "sub" / ("a.json.tmp." + dead + ".1"), "x");
  EXPECT_EQ(tpq::io::clean_stale_work_files(scratch.path(), /*recursive=*/false), 0u);
  EXPECT_EQ(tpq::io::clean_stale_work_files(scratch / "missing"), 0u);
  EXPECT_EQ(tpq::io::clean_stale_work_files(scratch.path()), 1u);
}

}  // namespace
