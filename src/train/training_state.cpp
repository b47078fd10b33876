#include "tpq/train/training_state.h"

#include <algorithm>
#include <cstdio>
#include <regex>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "tpq/core/error.h"
#include "tpq/core/hash.h"
#include "tpq/core/json_diff.h"
#include "tpq/dist/data_parallel.h"
#include "tpq/dist/process_group.h"
#include "tpq/io/atomic_file.h"

namespace tpq::train {

namespace fs = std::filesystem;

int64_t snapshot_step(const fs::path& path) {
  static const std::regex name("snapshot-([0-9]{1,15})\\.pt");
  std::smatch match;
  const std::string file = path.filename().string();
  return std::regex_match(file, match, name) ? std::stoll(match[1]) : -1;
}

SnapshotStore::SnapshotStore(fs::path dir, int keep) : dir_(std::move(dir)), keep_(keep) {}

std::optional<fs::path> SnapshotStore::newest() const {
  std::optional<fs::path> best;
  std::error_code error;
  if (!fs::is_directory(dir_, error)) return best;
  for (const auto& entry : fs::directory_iterator(dir_, error)) {
    const auto step = snapshot_step(entry.path());
    if (step >= 0 && (!best || step > snapshot_step(*best))) best = entry.path();
  }
  return best;
}

void SnapshotStore::write(int64_t step, torch::serialize::OutputArchive& archive) const {
  std::error_code error;
  fs::create_directories(dir_, error);
  require(!error, "cannot create the training checkpoint directory " + dir_.string() + ": " + error.message());
  char name[40];
  std::snprintf(name, sizeof name, "snapshot-%09lld.pt", static_cast<long long>(step));
  io::AtomicFileWriter file(dir_ / name);
  archive.save_to([&](const void* data, size_t size) {
    file.write(data, size);
    return size;
  });
  file.commit();
  std::vector<std::pair<int64_t, fs::path>> snapshots;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    const auto found = snapshot_step(entry.path());
    if (found >= 0) snapshots.emplace_back(found, entry.path());
    else if (entry.path().filename().string().find(".tmp.") != std::string::npos) fs::remove(entry.path(), error);  // a killed write
  }
  std::sort(snapshots.rbegin(), snapshots.rend());
  for (std::size_t i = keep_; i < snapshots.size(); ++i) fs::remove(snapshots[i].second, error);
}

void write_module_state(torch::serialize::OutputArchive& archive, const std::string& prefix, const torch::nn::Module& module) {
  for (const auto& item : module.named_parameters()) archive.write(prefix + item.key(), item.value().detach());
  for (const auto& item : module.named_buffers()) {
    if (item.value().is_floating_point()) archive.write(prefix + item.key(), item.value(), /*is_buffer=*/true);
  }
}

void read_module_state(torch::serialize::InputArchive& archive, const std::string& prefix, torch::nn::Module& module,
                       const fs::path& file) {
  std::vector<std::pair<torch::Tensor, torch::Tensor>> copies;  // (target, saved): checked before any copy
  const auto take = [&](const std::string& name, const torch::Tensor& target, bool is_buffer) {
    torch::Tensor saved;
    require(archive.try_read(prefix + name, saved, is_buffer),
            "the training checkpoint " + file.string() + " has no '" + name + "': it is not of this model; run without --resume");
    require(saved.sizes() == target.sizes(), "the training checkpoint " + file.string() + " holds '" + name +
                                                 "' in another shape: it is not of this model; run without --resume");
    copies.emplace_back(target, saved);
  };
  for (const auto& item : module.named_parameters()) take(item.key(), item.value(), false);
  for (const auto& item : module.named_buffers()) {
    if (item.value().is_floating_point()) take(item.key(), item.value(), true);
  }
  torch::NoGradGuard no_grad;
  for (auto& [target, saved] : copies) target.copy_(saved);
}

void write_cpu_generator_state(torch::serialize::OutputArchive& archive) {
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  archive.write("rng.cpu", generator.get_state());
}

void read_cpu_generator_state(torch::serialize::InputArchive& archive) {
  torch::Tensor state;
  archive.read("rng.cpu", state);
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(state);
}

void write_json(torch::serialize::OutputArchive& archive, const std::string& key, const nlohmann::json& value) {
  archive.write(key, c10::IValue(value.dump()));
}

nlohmann::json read_json(torch::serialize::InputArchive& archive, const std::string& key) {
  c10::IValue value;
  archive.read(key, value);
  return nlohmann::json::parse(value.toStringRef());
}

std::string split_digest(const data::TokenizedSplit& split) {
  Hasher hasher;
  hasher.bytes(split.offsets.data(), split.offsets.size() * sizeof(split.offsets[0]));
  hasher.bytes(split.input_ids.data(), split.input_ids.size() * sizeof(split.input_ids[0]));
  hasher.bytes(split.labels.data(), split.labels.size() * sizeof(split.labels[0]));
  return hasher.hex();
}

std::vector<torch::Tensor> module_state(torch::nn::Module& module) {
  std::vector<torch::Tensor> state = module.parameters();
  for (const auto& buffer : module.buffers()) {
    if (buffer.is_floating_point()) state.push_back(buffer);
  }
  return state;
}

void require_same_snapshot_on_every_rank(dist::ProcessGroup* group, const fs::path& dir, int64_t step) {
  if (!dist::is_data_parallel(group)) return;
  const auto ours = std::to_string(step);
  const auto rank0 = group->broadcast_text(ours);
  require(dist::count_ranks_where(*group, rank0 != ours) == 0,
          "the ranks found different training checkpoints in " + dir.string() + " (rank 0: step " + rank0 + ", rank " +
              std::to_string(group->rank()) + ": step " + ours +
              "; -1 is none): --resume needs the results directory on a filesystem every rank shares");
}

void load_snapshot(torch::serialize::InputArchive& archive, const fs::path& file) {
  try {
    archive.load_from(file.string());
  } catch (const c10::Error& error) {
    const std::string what = error.what_without_backtrace();
    throw UserError("cannot read the training checkpoint " + file.string() + " (" + what.substr(0, what.find('\n')) +
                    "); delete it to resume from the one before, or run without --resume");
  }
}

void require_same_setup(const nlohmann::json& recorded, const nlohmann::json& setup, const fs::path& file) {
  const auto difference = json_differences(setup, recorded, "checkpoint");
  require(difference.empty(), "the training checkpoint " + file.string() + " is of another training setup: " + difference +
                                  "; resume with the settings it was made with, or run without --resume to start over");
}

}  // namespace tpq::train
