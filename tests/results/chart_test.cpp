// gnuplot charts: a PNG appears whole, and gnuplot's own complaint reaches the user.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "tpq/core/error.h"
#include "tpq/results/chart.h"

namespace {

TEST(Chart, DrawsAPngWithSeveralPanels) {
  TPQ_SKIP_UNLESS(tpq::results::gnuplot_available(), "gnuplot not installed (scripts/setup.sh installs gnuplot-nox)");
  tpq::testing::ScratchDir scratch;
  const auto png = scratch / "chart.png";
  tpq::results::render_panels({{"Loss", "epoch", "loss", {{"train", {1, 2, 3}, {0.7, 0.5, 0.4}}}},
                               {"Accuracy's panel", "epoch", "acc", {{"val", {1, 2, 3}, {0.6, 0.7, 0.8}}}}},
                              png);
  ASSERT_TRUE(std::filesystem::exists(png));
  std::ifstream in(png, std::ios::binary);
  char magic[8] = {};
  in.read(magic, 8);
  EXPECT_EQ(std::string(magic + 1, 3), "PNG");
  for (const auto& entry : std::filesystem::directory_iterator(scratch.path())) EXPECT_EQ(entry.path(), png);
}

TEST(Chart, GnuplotErrorsAreReportedAndLeaveNoFile) {
  TPQ_SKIP_UNLESS(tpq::results::gnuplot_available(), "gnuplot not installed");
  tpq::testing::ScratchDir scratch;
  const auto png = scratch / "bad.png";
  tpq::results::Series series{"s", {1, 2}, {1, 2}, "no_such_style"};
  try {
    tpq::results::render_panels({{"t", "x", "y", {series}}}, png);
    FAIL() << "expected a UserError";
  } catch (const tpq::UserError& error) {
    EXPECT_NE(std::string(error.what()).find("gnuplot failed"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("no_such_style"), std::string::npos) << error.what();
  }
  EXPECT_TRUE(std::filesystem::is_empty(scratch.path()));
}

}  // namespace
