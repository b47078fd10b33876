#include "tpq/pipeline/experiment_config.h"

#include <algorithm>
#include <cstdlib>

#include "tpq/build_info.h"
#include "tpq/core/error.h"

namespace tpq::pipeline {
namespace {

namespace fs = std::filesystem;

data::DatasetSpec dataset_spec_from(ConfigSection& section, uint64_t seed, fs::path& cache_dir) {
  data::DatasetSpec spec;
  spec.name = section.get_string("dataset", spec.name);
  spec.format = section.get_string("format", spec.format);
  spec.path = section.get_string("path", spec.path.string());
  spec.text_column = section.get_string("text_column", spec.text_column);
  spec.text_pair_column = section.get_string("text_pair_column", spec.text_pair_column);
  spec.label_column = section.get_string("label_column", spec.label_column);
  spec.label_names = section.get_strings("label_names", spec.label_names);
  spec.num_labels = section.get_int("num_labels", spec.num_labels);
  const auto fractions = section.get_doubles("split", {spec.split_fractions[0], spec.split_fractions[1], spec.split_fractions[2]});
  require(fractions.size() == 3, "data.split must list three fractions: [train, validation, test]");
  spec.split_fractions = {fractions[0], fractions[1], fractions[2]};
  spec.holdout_fraction = section.get_double("holdout_fraction", spec.holdout_fraction);
  auto cap = [&](const char* key) {
    const int64_t value = section.get_int(key, 0);
    require(value >= 0, std::string("data.") + key + " must be >= 0 (0 = all)");
    return static_cast<std::size_t>(value);
  };
  spec.max_train_samples = cap("max_train_samples");
  spec.max_validation_samples = cap("max_validation_samples");
  spec.max_test_samples = cap("max_test_samples");
  spec.hub_repo = section.get_string("hub_repo", spec.hub_repo);
  spec.hub_files = section.get_strings("hub_files", spec.hub_files);
  spec.pair_title_and_description = section.get_bool("pair_title_and_description", spec.pair_title_and_description);
  spec.truncation = tokenize::Truncation::parse(section.get_string("truncation", "head"),
                                                section.get_int("truncation_head_tokens", tokenize::Truncation::kDefaultHeadTokens), "data.truncation");
  cache_dir = section.get_string("cache_dir", cache_dir.string());
  spec.seed = seed;
  section.finish();
  return spec;
}

eval::SpeedOptions speed_options_from(ConfigSection& section) {
  eval::SpeedOptions options;
  options.latency_samples = section.get_int("latency_samples", options.latency_samples);
  options.throughput_batch_size = section.get_int("throughput_batch_size", options.throughput_batch_size);
  options.throughput_batches = section.get_int("throughput_batches", options.throughput_batches);
  options.warmup = section.get_int("warmup", options.warmup);
  options.timing_rounds = section.get_int("timing_rounds", options.timing_rounds);
  section.finish();
  require(options.timing_rounds == 0 || options.timing_rounds >= 6,
          "evaluation.timing_rounds must be 0 (no side-by-side timing) or at least 6 (fewer rounds give no 95 % interval)");
  require(options.latency_samples > 0 && options.throughput_batch_size > 0 && options.throughput_batches > 0 &&
              options.warmup >= 0,
          "evaluation: latency_samples, throughput_batch_size and throughput_batches must be positive");
  return options;
}

}  // namespace

ExperimentConfig ExperimentConfig::from(const ConfigTree& tree, const std::vector<std::string>& extra_sections) {
  // Profiles are shared by every experiment, so the compression sections (read by 02-09) are
  // part of every profile's schema; an experiment that does not read a section ignores it.
  std::vector<std::string> known = {"model", "data", "training", "evaluation", "run", "quantization", "pruning"};
  known.insert(known.end(), extra_sections.begin(), extra_sections.end());
  for (const auto& [section, value] : tree.json().items()) {
    if (std::find(known.begin(), known.end(), section) != known.end()) continue;
    const std::string hint = closest_match(section, known);
    throw UserError(tree.origin(section) + ": unknown section '" + section + "'" +
                    (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
  }
  ExperimentConfig config;
  config.tree = tree;
  ConfigSection run(tree, "run");
  config.run.seed = static_cast<uint64_t>(run.get_int("seed", static_cast<int64_t>(config.run.seed)));
  config.run.threads = static_cast<int>(run.get_int("threads", config.run.threads));
  config.run.device = run.get_string("device", config.run.device);
  config.run.dist_timeout_s = run.get_double("dist_timeout", config.run.dist_timeout_s);
  require(config.run.dist_timeout_s > 0, tree.origin("run") + ": run.dist_timeout must be > 0 seconds");
  run.finish();
  ConfigSection model(tree, "model");
  config.model = model::ModelSpec::from(model);
  ConfigSection data(tree, "data");
  config.data = dataset_spec_from(data, config.run.seed, config.cache_dir);
  ConfigSection training(tree, "training");
  config.training = train::TrainConfig::from(training);
  ConfigSection evaluation(tree, "evaluation");
  config.evaluation = speed_options_from(evaluation);
  return config;
}

nlohmann::json ExperimentConfig::to_json() const {
  nlohmann::json json = tree.json();
  json["model"] = model.to_json();
  // In the same keys the reader takes, so a recorded config.json can be fed back with --config.
  json["data"] = {{"dataset", data.name},
                  {"format", data.format},
                  {"path", data.path.string()},
                  {"text_column", data.text_column},
                  {"text_pair_column", data.text_pair_column},
                  {"label_column", data.label_column},
                  {"label_names", data.label_names},
                  {"num_labels", data.num_labels},
                  {"split", data.split_fractions},
                  {"holdout_fraction", data.holdout_fraction},
                  {"max_train_samples", data.max_train_samples},
                  {"max_validation_samples", data.max_validation_samples},
                  {"max_test_samples", data.max_test_samples},
                  {"pair_title_and_description", data.pair_title_and_description},
                  {"hub_repo", data.hub_repo},
                  {"hub_files", data.hub_files},
                  {"truncation", data.truncation.name()},
                  {"truncation_head_tokens", data.truncation.head_tokens},
                  {"cache_dir", cache_dir.string()}};
  json["training"] = training.to_json();
  json["evaluation"] = {{"latency_samples", evaluation.latency_samples},
                        {"throughput_batch_size", evaluation.throughput_batch_size},
                        {"throughput_batches", evaluation.throughput_batches},
                        {"warmup", evaluation.warmup},
                        {"timing_rounds", evaluation.timing_rounds}};
  json["run"] = {{"seed", run.seed}, {"threads", run.threads}, {"device", run.device}, {"dist_timeout", run.dist_timeout_s}};
  return json;
}

void ExperimentConfig::use_recorded_data(const nlohmann::json& data_section, uint64_t split_seed, const std::string& origin) {
  ConfigTree recorded;
  recorded.set("data", data_section, origin);
  ConfigSection section(recorded, "data");
  data = dataset_spec_from(section, split_seed, cache_dir);
  tree.merge(recorded);
}

fs::path profile_path(const std::string& profile) {
  const std::string file = profile + ".yaml";
  std::vector<fs::path> candidates;
  if (const char* dir = std::getenv("TPQ_CONFIG_DIR")) candidates.push_back(fs::path(dir) / "profiles" / file);
  candidates.push_back(fs::path("configs") / "profiles" / file);
  candidates.push_back(fs::path(TPQ_SOURCE_DIR) / "configs" / "profiles" / file);
  for (const auto& candidate : candidates) {
    if (fs::is_regular_file(candidate)) return candidate;
  }
  throw UserError("--profile " + profile + ": no configs/profiles/" + file + " (profiles: quick, default, full, pretrained, pretrained-cpu)");
}

}  // namespace tpq::pipeline
