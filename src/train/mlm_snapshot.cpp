#include "train/mlm_snapshot.h"

#include <spdlog/spdlog.h>

namespace tpq::train {

nlohmann::json mlm_setup(const MlmConfig& config, uint64_t seed, int world_size, const data::TokenizedSplit& texts,
                         torch::nn::Module& base) {
  int64_t parameters = 0;
  for (const auto& parameter : base.parameters()) parameters += parameter.numel();
  return {{"mlm",
           {{"epochs", config.epochs}, {"learning_rate", config.learning_rate}, {"mask_probability", config.mask_probability},
            {"batch_size", config.batch_size}, {"warmup_ratio", config.warmup_ratio}, {"weight_decay", config.weight_decay},
            {"amp", config.amp}}},
          {"seed", seed},
          {"world_size", world_size},
          {"parameters", parameters},
          {"texts", split_digest(texts)}};
}

void save_mlm_snapshot(const ResumeOptions& options, const MlmParts& parts, const MlmLoop& loop,
                       const nlohmann::json& setup, double seconds, bool rank_zero) {
  if (!options.enabled() || !rank_zero) return;
  torch::serialize::OutputArchive archive;
  write_module_state(archive, "base.", parts.base);
  write_module_state(archive, "head.", parts.head);
  torch::serialize::OutputArchive optimizer;
  parts.optimizer.save(optimizer);
  archive.write("optimizer", optimizer);
  write_cpu_generator_state(archive);
  write_json(archive, "meta",
             {{"setup", setup},
              {"epoch", loop.epoch},
              {"next_batch", loop.next_batch},
              {"loss_sum", loop.loss_sum},
              {"loss_count", loop.loss_count},
              {"epoch_losses", loop.result.epoch_losses},
              {"steps", loop.result.steps},
              {"seconds", seconds}});
  SnapshotStore(options.dir).write(loop.result.steps, archive);
}

bool resume_mlm(const ResumeOptions& options, const MlmParts& parts, MlmLoop& loop, const nlohmann::json& setup,
                dist::ProcessGroup* group) {
  const auto newest = SnapshotStore(options.dir).newest();
  require_same_snapshot_on_every_rank(group, options.dir, newest ? snapshot_step(*newest) : -1);
  if (!newest) return false;
  torch::serialize::InputArchive archive;
  load_snapshot(archive, *newest);
  const auto meta = read_json(archive, "meta");
  require_same_setup(meta.at("setup"), setup, *newest);
  read_module_state(archive, "base.", parts.base, *newest);
  read_module_state(archive, "head.", parts.head, *newest);
  torch::serialize::InputArchive optimizer;
  archive.read("optimizer", optimizer);
  parts.optimizer.load(optimizer);
  read_cpu_generator_state(archive);
  loop.epoch = meta.at("epoch").get<int64_t>();
  loop.next_batch = meta.at("next_batch").get<int64_t>();
  loop.loss_sum = meta.at("loss_sum").get<double>();
  loop.loss_count = meta.at("loss_count").get<int64_t>();
  loop.result.epoch_losses = meta.at("epoch_losses").get<std::vector<double>>();
  loop.result.steps = meta.at("steps").get<int64_t>();
  loop.seconds_before = meta.at("seconds").get<double>();
  const bool finished = loop.epoch > setup.at("mlm").at("epochs").get<int64_t>();
  spdlog::info("resuming MLM pre-training from {}: {}", newest->string(),
               finished ? "already finished" : "epoch " + std::to_string(loop.epoch) + ", batch " + std::to_string(loop.next_batch));
  return true;
}

}  // namespace tpq::train
