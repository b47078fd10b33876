// gnuplot charts: a PNG appears whole, and gnuplot's own complaint reaches the user.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "tpq/core/error.h"
#include "tpq/io/atomic_file.h"
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

namespace {

TEST(Chart, AccuracyStandardErrorIsBinomial) {
  EXPECT_NEAR(tpq::results::accuracy_standard_error(0.8, 2000), 0.0089443, 1e-6);
  EXPECT_NEAR(tpq::results::accuracy_standard_error(0.5, 100), 0.05, 1e-12);
  EXPECT_EQ(tpq::results::accuracy_standard_error(0.8, 0), 0.0);
}

TEST(Chart, DrawsErrorBarsFromAThirdColumn) {
  TPQ_SKIP_UNLESS(tpq::results::gnuplot_available(), "gnuplot not installed");
  tpq::testing::ScratchDir scratch;
  const auto png = scratch / "bars.png";
  tpq::results::Series bars{"", {0, 1}, {0.8, 0.7}, "boxes"};
  tpq::results::Series errors{"± SE", {0, 1}, {0.8, 0.7}};
  errors.y_error = {0.05, 0.1};
  errors.style = "yerrorbars pt 0 lc rgb 'black' lw 1.5";  // a style with its own width
  tpq::results::render_panels({{"Accuracy", "", "accuracy", {bars, errors}}}, png);
  ASSERT_TRUE(std::filesystem::exists(png));
  // The same chart with zero-length bars draws differently: the third column is what gnuplot used.
  errors.y_error = {0.0, 0.0};
  tpq::results::render_panels({{"Accuracy", "", "accuracy", {bars, errors}}}, scratch / "flat.png");
  EXPECT_NE(tpq::io::read_file(png), tpq::io::read_file(scratch / "flat.png"));
}

}  // namespace
