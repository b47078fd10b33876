// The results contract: every section of metrics.json is read back exactly as it was written, by
// the same code, and an incomplete record is refused with a message naming the file and the key.
#include <cmath>

#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "support/user_error_matchers.h"
#include "tpq/results/run_record.h"

namespace {

tpq::results::RunRecord sample_record(const std::string& variant) {
  tpq::results::RunRecord record;
  record.experiment = "dynamic_quant";
  record.variant = variant;
  record.metrics = {0.8125, 0.8, 0.79, 0.81, 0.78, 0.77, 0.76, 0.42, 2000, {{800, 200}, {175, 825}}};
  record.size = {6354371, 6354371 / 1048576.0, 6300000, 6300000 / 1048576.0, 1450000, 1400000, 50000.0 / 1450000};
  record.speed.latency_ms_p50 = 1.25;
  record.speed.latency_ms_p95 = 1.5;
  record.speed.throughput_samples_s = 2100;
  record.speed.batch_size = 32;
  record.speed.threads = 2;
  record.speed.device = "cpu";
  record.memory = {412.5, "evaluation", {{"mlm", 900.5, 300.25, true}, {"fine_tuning", 700.0, 310.0, false}}};
  record.config = {{"run", {{"seed", 7}}}};
  record.extra = {{"label", "INT8 (动态)"}, {"quantization", {{"method", "dynamic_int8"}}}};
  record.provenance.git_rev = "abc123";
  record.provenance.libtorch_version = "1.13.1";
  record.provenance.threads = 2;
  record.provenance.seed = 7;
  record.provenance.started_at = "2026-12-01T22:00:00Z";
  record.provenance.wall_s = 61.5;
  return record;
}

void expect_same(const tpq::results::RunRecord& a, const tpq::results::RunRecord& b) {
  EXPECT_EQ(a.experiment, b.experiment);
  EXPECT_EQ(a.variant, b.variant);
  EXPECT_EQ(a.metrics.accuracy, b.metrics.accuracy);
  EXPECT_EQ(a.metrics.macro_recall, b.metrics.macro_recall);
  EXPECT_EQ(a.metrics.count, b.metrics.count);
  EXPECT_EQ(a.metrics.confusion_matrix, b.metrics.confusion_matrix);
  EXPECT_EQ(a.size.file_bytes, b.size.file_bytes);
  EXPECT_EQ(a.size.file_mb, b.size.file_mb);
  EXPECT_EQ(a.size.sparsity, b.size.sparsity);
  EXPECT_EQ(a.speed.latency_ms_p50, b.speed.latency_ms_p50);
  EXPECT_EQ(a.speed.throughput_samples_s, b.speed.throughput_samples_s);
  EXPECT_EQ(a.speed.device, b.speed.device);
  EXPECT_EQ(a.memory.peak_rss_mb, b.memory.peak_rss_mb);
  EXPECT_EQ(a.memory.scope, b.memory.scope);
  ASSERT_EQ(a.memory.phases.size(), b.memory.phases.size());
  for (size_t i = 0; i < a.memory.phases.size(); ++i) {
    EXPECT_EQ(a.memory.phases[i].phase, b.memory.phases[i].phase);
    EXPECT_EQ(a.memory.phases[i].peak_rss_mb, b.memory.phases[i].peak_rss_mb);
    EXPECT_EQ(a.memory.phases[i].rss_after_release_mb, b.memory.phases[i].rss_after_release_mb);
    EXPECT_EQ(a.memory.phases[i].peak_is_phase_only, b.memory.phases[i].peak_is_phase_only);
  }
  EXPECT_EQ(a.config, b.config);
  EXPECT_EQ(a.extra, b.extra);
  EXPECT_EQ(a.label(), b.label());
  EXPECT_EQ(a.provenance.git_rev, b.provenance.git_rev);
  EXPECT_EQ(a.provenance.seed, b.provenance.seed);
  EXPECT_EQ(a.provenance.wall_s, b.provenance.wall_s);
}

TEST(RunRecord, ExperimentRecordRoundTripsThroughMetricsJson) {
  tpq::testing::ScratchDir scratch;
  tpq::results::ExperimentRecord written;
  written.has_table = true;
  written.variants = {sample_record("fp32"), sample_record("int8_dynamic_per_channel")};
  written.variants[0].metrics.loss = std::nan("");  // not computed: written as null, read as NaN
  written.primary = written.variants[1];
  written.experiment_extra = {{"engine", "onednn"}};
  tpq::results::write_record(scratch / "metrics.json", written);
  const auto read = tpq::results::read_experiment_record(scratch / "metrics.json");
  expect_same(read.primary, written.primary);
  ASSERT_EQ(read.variants.size(), 2u);
  expect_same(read.variants[1], written.variants[1]);
  EXPECT_TRUE(std::isnan(read.variants[0].metrics.loss));
  EXPECT_EQ(read.experiment_extra, written.experiment_extra);
  ASSERT_NE(read.variant("fp32"), nullptr);
  EXPECT_EQ(read.variant("int4"), nullptr);
}

TEST(RunRecord, ARecordWithoutATableIsItsOwnOnlyRow) {
  const auto json = tpq::results::to_json(sample_record("fp32"));
  EXPECT_FALSE(json.contains("variants"));
  const auto read = tpq::results::experiment_record_from_json(json, "baseline/metrics.json");
  ASSERT_EQ(read.variants.size(), 1u);
  EXPECT_FALSE(read.has_table);
  expect_same(read.variants[0], sample_record("fp32"));
}

TEST(RunRecord, IncompleteRecordsNameTheFileAndTheMissingKey) {
  auto json = tpq::results::to_json(sample_record("fp32"));
  json["metrics"].erase("accuracy");
  TPQ_EXPECT_USER_ERROR(tpq::results::run_record_from_json(json, "results/x/metrics.json"), "results/x/metrics.json",
                        "no metrics.accuracy");
  json = tpq::results::to_json(sample_record("fp32"));
  json["size"]["file_mb"] = "six";
  TPQ_EXPECT_USER_ERROR(tpq::results::run_record_from_json(json, "m.json"), "m.json", "size.file_mb must be a number");
  json = tpq::results::to_json(sample_record("fp32"));
  json["variants"] = {tpq::results::to_json(sample_record("fp32")), {{"experiment", "x"}}};
  TPQ_EXPECT_USER_ERROR(tpq::results::experiment_record_from_json(json, "m.json"), "variants[1]", "no variant");
}

}  // namespace
