// `tpq bench` as a user runs it on a tiny random shape: one row per variant x batch x length in the
// printed table and in the JSON, consistent ratios to FP32, and one-line errors for bad variants.
#include <filesystem>
#include <set>

#include <gtest/gtest.h>

#include "support/fixtures.h"

namespace {

namespace fs = std::filesystem;
using tpq::testing::run_command;

std::string bench(const std::string& flags) {
  return tpq::testing::cli_path() + " --log-level warn bench --shape tiny --threads 1 --warmup 1 --trials 3 " + flags;
}

TEST(BenchCli, WritesOneRowPerConfigurationWithRatiosToFp32) {
  tpq::testing::ScratchDir scratch;
  const fs::path json_path = scratch / "bench.json";
  const auto result = run_command(bench("--batch-sizes 1 4 --seq-lens 16 --variants fp32 int8_dynamic --output " +
                                        json_path.string()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto report = tpq::testing::read_json_file(json_path);
  ASSERT_EQ(report["rows"].size(), 4u);  // 2 variants x 2 batch sizes x 1 length
  std::set<std::pair<std::string, int64_t>> seen;
  for (const auto& row : report["rows"]) {
    seen.insert({row["variant"].get<std::string>(), row["batch_size"].get<int64_t>()});
    EXPECT_EQ(row["sequence_length"], 16);
    const double median = row["median_ms"], low = row["min_ms"], high = row["max_ms"];
    EXPECT_GT(median, 0.0);
    EXPECT_LE(low, median);
    EXPECT_LE(median, high);
    if (row["variant"] == "fp32") {
      EXPECT_DOUBLE_EQ(row["speedup_vs_fp32"].get<double>(), 1.0);
    }
  }
  EXPECT_EQ(seen.size(), 4u);
  // The speed-up is FP32's median over the variant's, for the same batch and length.
  for (const auto& row : report["rows"]) {
    if (row["variant"] != "int8_dynamic") continue;
    for (const auto& fp32 : report["rows"]) {
      if (fp32["variant"] == "fp32" && fp32["batch_size"] == row["batch_size"]) {
        EXPECT_NEAR(row["speedup_vs_fp32"].get<double>(), fp32["median_ms"].get<double>() / row["median_ms"].get<double>(), 1e-9);
      }
    }
  }
  // Rounds interleave the variants: each row has its paired speed-up over the 3 rounds (too few for
  // a 95 % interval, so none is claimed), and FP32 against itself is exactly 1.
  for (const auto& row : report["rows"]) {
    EXPECT_EQ(row["paired_speedup"]["rounds"], 3);
    EXPECT_EQ(row["paired_speedup"]["confidence"], 0.0);
    EXPECT_EQ(row["paired_speedup"]["measurable"], false);
    if (row["variant"] == "fp32") {
      EXPECT_EQ(row["paired_speedup"]["median"], 1.0);
    }
  }
  // Sizes from the variants saved as checkpoints: INT8 shrinks the encoder layers' bytes about 4x.
  ASSERT_EQ(report["sizes"].size(), 2u);
  const auto& fp32_size = report["sizes"][0];
  const auto& int8_size = report["sizes"][1];
  EXPECT_EQ(int8_size["variant"], "int8_dynamic");
  const double encoder_ratio = fp32_size["encoder_bytes"].get<double>() / int8_size["encoder_bytes"].get<double>();
  EXPECT_GT(encoder_ratio, 3.0);
  EXPECT_LT(encoder_ratio, 4.0);
  EXPECT_LT(int8_size["file_bytes"].get<double>(), fp32_size["file_bytes"].get<double>());
  for (const char* key : {"libtorch_version", "blas", "threads", "git_rev", "quantized_engine"}) {
    EXPECT_TRUE(report.contains(key)) << key;
  }
  // The printed table has the same rows.
  EXPECT_NE(result.output.find("| int8_dynamic | 4 | 16 |"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("| fp32 | 1 | 16 |"), std::string::npos) << result.output;
}

TEST(BenchCli, UnknownVariantIsAOneLineErrorAndWritesNothing) {
  tpq::testing::ScratchDir scratch;
  const auto result = run_command(bench("--variants fp32 int4 --output " + (scratch / "bench.json").string()));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("int4"), std::string::npos) << result.output;
  EXPECT_FALSE(fs::exists(scratch / "bench.json"));
}

}  // namespace
