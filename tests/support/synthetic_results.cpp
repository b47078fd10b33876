#include "support/synthetic_results.h"

#include <cmath>

#include "support/fixtures.h"

namespace tpq::testing {
namespace fs = std::filesystem;
using nlohmann::json;

json synthetic_confusion_matrix(double accuracy) {
  const int64_t per_class = kSyntheticTestExamples / 2;
  const auto correct = static_cast<int64_t>(std::llround(accuracy * kSyntheticTestExamples));
  const int64_t negatives_right = correct / 2;
  const int64_t positives_right = correct - negatives_right;
  return {{negatives_right, per_class - negatives_right}, {per_class - positives_right, positives_right}};
}

json synthetic_record(const std::string& experiment, const std::string& variant, double accuracy, double file_mb,
                      double latency_ms, json extra) {
  json record;
  record["experiment"] = experiment;
  record["variant"] = variant;
  record["metrics"] = {{"accuracy", accuracy}, {"f1", accuracy - 0.01}, {"precision", accuracy}, {"recall", accuracy},
                       {"loss", 0.5}, {"count", kSyntheticTestExamples}, {"confusion_matrix", synthetic_confusion_matrix(accuracy)}};
  record["size"] = {{"file_bytes", static_cast<int64_t>(file_mb * 1e6)}, {"file_mb", file_mb}, {"params", 1000000},
                    {"nonzero_params", 1000000}, {"sparsity", extra.value("sparsity", 0.0)}};
  record["speed"] = {{"latency_ms_per_sample_p50", latency_ms}, {"latency_ms_per_sample_p95", latency_ms * 1.2},
                     {"throughput_samples_s", 1000.0 / latency_ms}, {"batch_size", 32}, {"threads", 2}, {"device", "cpu"}};
  record["memory"] = {{"peak_rss_mb", 300.0}};
  record["config"] = {{"training", {{"learning_rate", 0.001}, {"batch_size", 32}, {"epochs", 3}, {"optimizer", "AdamW"}}},
                      {"data", {{"truncation", "head_tail"}, {"truncation_head_tokens", 64}}}};
  record["seed"] = 42;
  record["git_rev"] = "abc123";
  record["started_at"] = "2026-01-01T00:00:00Z";
  record["wall_s"] = 60.0;
  extra.erase("sparsity");
  if (!extra.contains("label")) extra["label"] = variant == "fp32" ? "FP32 (基线)" : variant;
  record["extra"] = extra;
  return record;
}

json synthetic_paired(double accuracy_difference, double standard_error) {
  return {{"count", kSyntheticTestExamples}, {"accuracy_difference", accuracy_difference}, {"standard_error", standard_error}};
}

void write_synthetic_experiment(const fs::path& root, const std::string& subdir, const std::string& primary,
                                const std::vector<json>& variants, const json& experiment_extra) {
  json metrics;
  for (const auto& variant : variants) {
    if (variant["variant"] == primary) metrics = variant;
  }
  metrics["variants"] = variants;
  metrics["experiment_extra"] = experiment_extra;
  write_text_file(root / subdir / "metrics.json", metrics.dump(2));
}

void write_small_results_tree(const fs::path& root) {
  auto baseline = synthetic_record("baseline", "fp32", 0.80, 10.0, 2.0);
  baseline["extra"]["model"] = {{"layers", 2}, {"hidden_size", 128}, {"heads", 2}, {"intermediate_size", 512}, {"vocab_size", 8000},
                                {"max_length", 128}, {"tokenizer", "sentencepiece"}, {"source", "scratch"}};
  baseline["extra"]["dataset"] = {{"name", "imdb"}, {"train", 10000}, {"validation", 1000}, {"test", 2000}, {"labels", {"neg", "pos"}}};
  baseline["extra"]["training"] = {{"train_seconds", 180.0}};
  baseline["memory"] = {{"peak_rss_mb", 300.0},
                        {"scope", "evaluation"},
                        {"phases", {{{"phase", "mlm"}, {"peak_rss_mb", 1234.5}, {"rss_after_release_mb", 400.0}},
                                    {{"phase", "fine_tuning"}, {"peak_rss_mb", 987.6}, {"rss_after_release_mb", 410.0}}}}};
  write_text_file(root / "baseline" / "metrics.json", baseline.dump(2));
  write_text_file(root / "baseline" / "config.json", baseline["config"].dump(2));
  json split = {{"size", 10000}, {"class_counts", {5000, 5000}}, {"truncation_rate", 0.4},
                {"token_length", {{"mean", 300.5}, {"p50", 220}, {"p95", 800}, {"max", 2900}}}};
  json stats = {{"dataset", "imdb"}, {"label_names", {"neg", "pos"}}, {"max_length", 128},
                {"splits", {{"train", split}, {"validation", split}, {"test", split}}},
                {"duplicate_texts", {{"within_train", 3}}},
                {"samples", {{"neg", {{{"text", "a dull film"}}}}, {"pos", {{{"text", "a wonderful film"}}}}}}};
  write_text_file(root / "baseline" / "dataset_stats.json", stats.dump(2));

  write_synthetic_experiment(root, "dynamic_quant", "int8_dynamic_per_channel",
                             {synthetic_record("dynamic_quant", "fp32", 0.80, 10.0, 2.0),
                              synthetic_record("dynamic_quant", "int8_dynamic_per_tensor", 0.785, 3.0, 1.0),
                              synthetic_record("dynamic_quant", "int8_dynamic_per_channel", 0.795, 3.1, 1.0)},
                             {{"engine", "onednn"}});
  auto quant = [](const std::string& observer, const std::string& granularity) {
    return json{{"quantization", {{"observer", observer}, {"granularity", granularity}, {"calibration_samples", 256}}}};
  };
  write_synthetic_experiment(root, "static_quant", "int8_static_minmax_per_channel",
                             {synthetic_record("static_quant", "fp32", 0.801, 10.0, 2.5),
                              synthetic_record("static_quant", "int8_static_minmax_per_channel", 0.792, 2.9, 1.0, quant("minmax", "per_channel")),
                              synthetic_record("static_quant", "int8_static_histogram_per_tensor", 0.770, 2.8, 1.25,
                                               quant("histogram", "per_tensor"))});
}

// `tpq bench` at bert-base shape as run_all writes it: INT8 measurably 3.83x faster at batch 32,
// pruning inside the noise at batch 1.
void write_synthetic_bench(const fs::path& root) {
  const auto paired = [](double median, double low, double high) {
    return json{{"median", median}, {"low", low}, {"high", high}, {"confidence", 0.9785}, {"rounds", 10}, {"measurable", low > 1 || high < 1}};
  };
  json bench = {{"threads", 2}, {"quantized_engine", "onednn"}};
  bench["rows"] = {{{"variant", "fp32"}, {"batch_size", 32}, {"sequence_length", 128}, {"median_ms", 4400.0}, {"speedup_vs_fp32", 1.0},
                    {"paired_speedup", paired(1.0, 1.0, 1.0)}},
                   {{"variant", "int8_dynamic"}, {"batch_size", 32}, {"sequence_length", 128}, {"median_ms", 1150.0},
                    {"speedup_vs_fp32", 3.826}, {"paired_speedup", paired(3.83, 3.70, 3.95)}},
                   {{"variant", "pruned_50_50"}, {"batch_size", 1}, {"sequence_length", 128}, {"median_ms", 180.0},
                    {"speedup_vs_fp32", 1.05}, {"paired_speedup", paired(1.04, 0.93, 1.12)}}};
  bench["sizes"] = {{{"variant", "fp32"}, {"file_bytes", 438000000}, {"encoder_bytes", 340000000}},
                    {{"variant", "int8_dynamic"}, {"file_bytes", 183000000}, {"encoder_bytes", 86700000}}};
  write_text_file(root / "bench" / "bench.json", bench.dump(2));
}

// The ONNX Runtime comparison as run_all writes it (benchmarks/onnxruntime_compare.sh --output):
// ORT faster at batch 1, pruned + INT8 its fastest recipe.
void write_synthetic_deploy(const fs::path& root) {
  const auto row = [](const std::string& variant, int batch, double tpq, double ort) {
    return json{{"variant", variant}, {"batch_size", batch}, {"tpq_ms", tpq}, {"onnxruntime_ms", ort},
                {"onnxruntime_over_tpq", {{"median", ort / tpq}, {"min", 0.9 * ort / tpq}, {"max", 1.1 * ort / tpq}}}};
  };
  json deploy = {{"onnxruntime_version", "1.30.0"}, {"rounds", 5}, {"trials_per_round", 3}, {"sequence_length", 128}, {"threads", 2}};
  deploy["rows"] = {row("fp32", 1, 120.0, 90.0), row("int8_dynamic", 1, 70.0, 26.0), row("pruned_50_50_int8", 1, 47.0, 16.4),
                    row("fp32", 32, 2870.0, 2843.0), row("pruned_50_50_int8", 32, 597.0, 407.0),
                    // --variants bf16 --pytorch: tpq against PyTorch's autocast, no ONNX Runtime time.
                    {{"variant", "bf16"}, {"batch_size", 32}, {"tpq_ms", 1500.0}, {"pytorch_ms", 1400.0}}};
  deploy["sizes"] = {{{"variant", "fp32"}, {"onnx_bytes", 437990006}, {"tpq_checkpoint_bytes", 437963337}},
                     {{"variant", "pruned_50_50_int8"}, {"onnx_bytes", 96000000}, {"tpq_checkpoint_bytes", 95800000}}};
  write_text_file(root / "deploy" / "deploy.json", deploy.dump(2));
}

void write_full_results_tree(const fs::path& root) {
  write_small_results_tree(root);
  write_synthetic_bench(root);
  write_synthetic_deploy(root);
  write_synthetic_experiment(root, "qat", "int8_qat",
                             {synthetic_record("qat", "fp32", 0.80, 10.0, 2.0),
                              synthetic_record("qat", "int8_static_ptq", 0.78, 2.9, 1.0, {{"training_time_s", 0.0}}),
                              synthetic_record("qat", "int8_qat", 0.798, 2.9, 1.0,
                                               {{"training_time_s", 120.0}, {"epochs", 1}, {"steps_budget", 40}})},
                             {{"recovery", 0.9}, {"qat_vs_ptq", synthetic_paired(0.018, 0.006)}});
  write_synthetic_experiment(
      root, "mixed_precision", "mixed",
      {synthetic_record("mixed_precision", "fp32", 0.80, 10.0, 2.0), synthetic_record("mixed_precision", "fp16", 0.80, 5.0, 2.2),
       synthetic_record("mixed_precision", "bf16", 0.799, 5.0, 1.5), synthetic_record("mixed_precision", "int8", 0.78, 3.0, 1.0),
       synthetic_record("mixed_precision", "mixed", 0.796, 4.0, 1.2)},
      {{"sensitivity",
        {{{"module", "bert.encoder.layer.1.output.dense"}, {"layer", 1}, {"accuracy", 0.77}, {"accuracy_drop", 0.03}, {"loss", 0.6}, {"loss_change", 0.1}},
         {{"module", "bert.encoder.layer.0.attention.self.query"}, {"layer", 0}, {"accuracy", 0.79}, {"accuracy_drop", 0.01}, {"loss", 0.52}, {"loss_change", 0.02}}}},
       {"keep_fp32", {"bert.encoder.layer.1.output.dense"}}});
  auto pruned = [](const std::string& kind, int heads, double ffn) {
    return json{{"pruning", {{"kind", kind}, {"heads_pruned", heads}, {"heads_total", 4}, {"ffn_sparsity", ffn}, {"fine_tuned", true},
                             {"before_fine_tuning", {{"accuracy", 0.7}, {"f1", 0.69}}}}}};
  };
  write_synthetic_experiment(root, "structured_pruning", "heads_1_ffn_50",
                             {synthetic_record("structured_pruning", "fp32", 0.80, 10.0, 2.0),
                              synthetic_record("structured_pruning", "heads_1", 0.79, 9.0, 1.8, pruned("heads", 1, 0)),
                              synthetic_record("structured_pruning", "heads_2", 0.75, 8.0, 1.6, pruned("heads", 2, 0)),
                              synthetic_record("structured_pruning", "ffn_30", 0.797, 8.0, 1.7, pruned("ffn", 0, 0.3)),
                              synthetic_record("structured_pruning", "ffn_50", 0.79, 7.0, 1.5, pruned("ffn", 0, 0.5)),
                              synthetic_record("structured_pruning", "heads_1_ffn_50", 0.78, 6.0, 1.3, pruned("heads_ffn", 1, 0.5))},
                             {{"surviving_heads", {{0, 1}, {1}}}});
  std::vector<json> unstructured = {synthetic_record("unstructured_pruning", "fp32", 0.80, 10.0, 2.0)};
  const double global_acc[] = {0.80, 0.798, 0.79, 0.70, 0.55};
  const double local_acc[] = {0.80, 0.79, 0.74, 0.65, 0.52};
  const int levels[] = {10, 30, 50, 70, 90};
  for (int i = 0; i < 5; ++i) {
    for (const std::string scope : {"global", "local"}) {
      const double target = levels[i] / 100.0;
      unstructured.push_back(synthetic_record(
          "unstructured_pruning", scope + "_" + std::to_string(levels[i]), scope == "global" ? global_acc[i] : local_acc[i], 10.0, 2.0,
          {{"sparsity", target}, {"dense_file_bytes", 10000000},
           {"pruning", {{"scope", scope}, {"importance", "l1"}, {"target_sparsity", target}, {"actual_sparsity", target}, {"fine_tuned", false}}}}));
    }
  }
  write_synthetic_experiment(root, "unstructured_pruning", "global_50", unstructured);
  json history = json::array();
  for (int i = 1; i <= 5; ++i) {
    history.push_back({{"iteration", i}, {"target_sparsity", 0.18 * i}, {"actual_sparsity", 0.18 * i}, {"accuracy", 0.80 - 0.005 * i},
                       {"f1", 0.79 - 0.005 * i}});
  }
  write_synthetic_experiment(root, "progressive_pruning", "progressive_final",
                             {synthetic_record("progressive_pruning", "fp32", 0.80, 10.0, 2.0),
                              synthetic_record("progressive_pruning", "progressive_final", 0.775, 10.0, 2.0, {{"sparsity", 0.9}}),
                              synthetic_record("progressive_pruning", "one_shot", 0.60, 10.0, 2.0, {{"sparsity", 0.9}})},
                             {{"history", history}});
  auto stages = [](const std::vector<std::string>& names, double last_accuracy) {
    json out = json::array();
    const double acc[] = {0.80, 0.79, last_accuracy};
    const double mb[] = {10.0, 5.0, 1.5};
    for (int i = 0; i < 3; ++i) out.push_back({{"stage", names[i]}, {"accuracy", acc[i]}, {"f1", acc[i] - 0.01}, {"file_mb", mb[i]}});
    return out;
  };
  json orders = {{"prune_then_quantize", {{"stages", stages({"基线", "剪枝后", "量化后"}, 0.785)}, {"total_compression", 6.67}}},
                 {"quantize_then_prune", {{"stages", stages({"基线", "量化后", "剪枝后"}, 0.76)}, {"total_compression", 6.67}}},
                 {"winner", "prune_then_quantize"},
                 {"winner_margin", 2.5}};  // accuracy points, as 09 records it
  write_synthetic_experiment(root, "combined", "prune_then_quantize",
                             {synthetic_record("combined", "fp32", 0.80, 10.0, 2.0),
                              synthetic_record("combined", "prune_then_quantize", 0.785, 1.5, 0.9),
                              synthetic_record("combined", "quantize_then_prune", 0.76, 1.5, 0.9)},
                             {{"orders", orders}});
}

}  // namespace tpq::testing
