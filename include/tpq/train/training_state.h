// Resumable training: snapshots of a training loop (weights, optimizer, schedule position, loss
// scaler, random state, logs so far) written atomically into one directory as
// snapshot-<step>.pt, keeping the newest two, so a run killed at any moment (SIGKILL included)
// resumes from the newest complete one and ends with the weights of an uninterrupted run.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/nn/module.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "tpq/data/tokenized_split.h"

namespace tpq::dist {
class ProcessGroup;
}

namespace tpq::train {

// Where and how often a training loop snapshots itself, and whether it resumes.
struct ResumeOptions {
  std::filesystem::path dir;  // empty: no snapshots
  int64_t every_steps = 0;    // also every this many optimizer steps (0: at epoch ends only)
  bool resume = false;        // continue from the newest snapshot in dir, if there is one

  bool enabled() const { return !dir.empty(); }
};

class SnapshotStore {
 public:
  explicit SnapshotStore(std::filesystem::path dir, int keep = 2);

  // The snapshot with the highest step, if any (half-written temp files are never candidates).
  std::optional<std::filesystem::path> newest() const;
  // Writes snapshot-<step>.pt atomically, then removes all but the newest `keep` snapshots.
  void write(int64_t step, torch::serialize::OutputArchive& archive) const;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  int keep_;
};

// The step a snapshot file holds (from its name); -1 for other files.
int64_t snapshot_step(const std::filesystem::path& path);

// Parameters and floating-point buffers by name; reading checks every name and shape first, so a
// snapshot of another model is refused (UserError) without touching this one.
void write_module_state(torch::serialize::OutputArchive& archive, const std::string& prefix, const torch::nn::Module& module);
void read_module_state(torch::serialize::InputArchive& archive, const std::string& prefix, torch::nn::Module& module,
                       const std::filesystem::path& file);

// The default CPU generator: dropout's seeds come from it (model/counter_dropout.h).
void write_cpu_generator_state(torch::serialize::OutputArchive& archive);
void read_cpu_generator_state(torch::serialize::InputArchive& archive);

void write_json(torch::serialize::OutputArchive& archive, const std::string& key, const nlohmann::json& value);
nlohmann::json read_json(torch::serialize::InputArchive& archive, const std::string& key);

// A digest of a split's token ids and labels: a snapshot resumes only on the data it was made on.
std::string split_digest(const data::TokenizedSplit& split);

// Parameters and floating-point buffers, in a fixed order (what best-epoch copies hold).
std::vector<torch::Tensor> module_state(torch::nn::Module& module);

// In a job every rank must resume the same snapshot (the one of the highest `step`, -1: none): a
// rank that sees another directory would train apart. UserError on every rank otherwise.
void require_same_snapshot_on_every_rank(dist::ProcessGroup* group, const std::filesystem::path& dir, int64_t step);

// Reads a snapshot file; UserError naming it and the fix if it is not one.
void load_snapshot(torch::serialize::InputArchive& archive, const std::filesystem::path& file);

// A snapshot is only resumed into the training it came from: `setup` (configuration, seed,
// ranks, data sizes) must equal the one recorded; otherwise a UserError names the keys that differ.
void require_same_setup(const nlohmann::json& recorded, const nlohmann::json& setup, const std::filesystem::path& file);

}  // namespace tpq::train
