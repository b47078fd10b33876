#include "tpq/checkpoint/checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>  // renameat2, RENAME_EXCHANGE (glibc >= 2.28)

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "tpq/core/error.h"
#include "tpq/io/atomic_file.h"
#include "tpq/io/safetensors.h"
#include "tpq/checkpoint/sparse_tensors.h"
#include "tpq/io/stale_files.h"
#include "tpq/model/model_state.h"
#include "tpq/quant/half_precision.h"
#include "tpq/quant/quantized_model.h"
#include "tpq/core/strings.h"

namespace tpq::checkpoint {
using io::SafetensorsFile;
using io::clean_stale_work_files;
using io::save_safetensors;
using io::sync_directory;
using io::write_json_atomic;
namespace fs = std::filesystem;
namespace {

std::string shape_text(at::IntArrayRef shape) {
  std::ostringstream out;
  out << "[";
  for (std::size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
  out << "]";
  return out.str();
}

// "a, b, c and 7 more" — keeps one-line errors readable for large key lists.
std::string name_list(const std::vector<std::string>& names, std::size_t shown = 5) {
  std::string text;
  for (std::size_t i = 0; i < names.size() && i < shown; ++i) text += (i ? ", " : "") + names[i];
  if (names.size() > shown) text += " and " + std::to_string(names.size() - shown) + " more";
  return text;
}


// Maps a checkpoint tensor name to tpq's (= the family's HF classifier's) name: TF-era LayerNorm
// gamma/beta, and checkpoints of the base model saved without its prefix ("embeddings..." for "bert.embeddings...").
std::string canonical_name(std::string name, const std::set<std::string>& model_names, const model::EncoderFamily& family) {
  if (ends_with(name, ".gamma")) name = name.substr(0, name.size() - 6) + ".weight";
  if (ends_with(name, ".beta")) name = name.substr(0, name.size() - 5) + ".bias";
  const std::string prefixed = family.base + "." + name;
  if (model_names.count(name) == 0 && model_names.count(prefixed) == 1) name = prefixed;
  return name;
}

// Tensors HF checkpoints carry that a classifier does not use.
bool is_ignorable(const std::string& name, const model::EncoderFamily& family) {
  return family.is_ignorable_tensor(name) || ends_with(name, ".num_batches_tracked");
}


// Copies FP32 tensors into the model; tensors of `kernel_modules` (quantized Linears) are left to
// their kernels and skipped here; `sparse` tensors are rebuilt from their packed mask + values.
void copy_weights(model::EncoderClassifierImpl& model, const SafetensorsFile& file, const LoadOptions& options,
                  const std::set<std::string>& kernel_modules, const std::set<std::string>& sparse,
                  std::vector<std::string>* freshly_initialised, std::vector<std::string>* ignored) {
  const bool allow_fresh_classifier = options.allow_fresh_classifier || options.discard_classifier;
  const fs::path& safetensors_path = file.path();
  auto is_kernel_tensor = [&](const std::string& name) {
    const auto dot = name.rfind('.');
    return dot != std::string::npos && kernel_modules.count(name.substr(0, dot)) == 1;
  };
  auto parameters = model.named_parameters(/*recurse=*/true);
  std::set<std::string> model_names;
  for (const auto& item : parameters) model_names.insert(item.key());

  std::map<std::string, std::string> source_of;  // model name -> file name
  std::vector<std::string> unexpected;
  for (const auto& entry : file.header().tensors) {
    if (is_kernel_tensor(entry.name) || is_sparse_component(entry.name, sparse)) continue;
    const std::string name = canonical_name(entry.name, model_names, model.family());
    // Labels differ: the output Linear goes (its shape is the labels'), the pooler / pre-classifier stays.
    const bool discarded = options.discard_classifier && name.rfind(model.family().classifier + ".", 0) == 0;
    if (model_names.count(name) == 1 && !discarded) {
      source_of[name] = entry.name;
    } else if (discarded || is_ignorable(name, model.family())) {
      if (ignored) ignored->push_back(entry.name);
    } else {
      unexpected.push_back(entry.name);
    }
  }
  const std::string where = safetensors_path.string();
  require(unexpected.empty(), where + ": " + std::to_string(unexpected.size()) +
                                  " tensor(s) the model does not have: " + name_list(unexpected) +
                                  " (does config.json describe this checkpoint? pruned models need pruned_heads / "
                                  "tpq_intermediate_sizes)");
  std::vector<std::string> missing;
  for (const auto& name : model_names) {
    if (source_of.count(name) == 1 || is_kernel_tensor(name) || sparse.count(name) == 1) continue;
    // A base-model checkpoint (bert-base-uncased, distilbert-base-uncased) has no classification head.
    const bool classifier = model.family().is_head_module(name);
    if (!(classifier && allow_fresh_classifier)) missing.push_back(name);
  }
  require(missing.empty(), where + ": missing " + std::to_string(missing.size()) + " tensor(s): " +
                               name_list(missing) + " (is this a " + model.family().architecture + " checkpoint?)");

  torch::NoGradGuard no_grad;
  for (auto& item : parameters) {
    if (is_kernel_tensor(item.key())) continue;
    if (sparse.count(item.key()) == 1) {
      item.value().copy_(load_sparse_tensor(file, item.key(), item.value().sizes()));
      continue;
    }
    auto found = source_of.find(item.key());
    if (found == source_of.end()) {
      if (freshly_initialised) freshly_initialised->push_back(item.key());
      continue;
    }
    torch::Tensor source = file.tensor(found->second);
    require(source.sizes() == item.value().sizes(),
            where + ": tensor '" + found->second + "' has shape " + shape_text(source.sizes()) +
                " but config.json implies " + shape_text(item.value().sizes()));
    require(source.is_floating_point(), where + ": tensor '" + found->second + "' is " +
                                            std::string(c10::toString(source.scalar_type())) +
                                            ", expected a floating-point weight");
    item.value().copy_(source);
  }
}

// Puts the complete `staging` dir at `target`. With renameat2(RENAME_EXCHANGE) the two swap in one
// step, so a kill at any moment leaves the old or the new checkpoint at `target`; filesystems
// without it get two renames (a kill between them leaves "<target>.old-<pid>", which
// clean_stale_work_files restores). The parent is fsync'ed so the swap survives a crash.
void swap_into_place(const fs::path& staging, const fs::path& target) {
  if (!fs::exists(target)) {
    fs::rename(staging, target);
  } else if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0) {
    fs::remove_all(staging);  // now holds the previous checkpoint
  } else {
    const fs::path previous = target.parent_path() / (target.filename().string() + ".old-" + std::to_string(::getpid()));
    fs::rename(target, previous);
    fs::rename(staging, target);
    fs::remove_all(previous);
  }
  sync_directory(target.parent_path());
}

}  // namespace

void load_weights(model::EncoderClassifierImpl& model, const fs::path& safetensors_path,
                  const LoadOptions& options, std::vector<std::string>* freshly_initialised,
                  std::vector<std::string>* ignored) {
  copy_weights(model, SafetensorsFile::open(safetensors_path), options, {}, {}, freshly_initialised, ignored);
}

Checkpoint load_checkpoint(const fs::path& dir, const LoadOptions& options) {
  require(fs::is_directory(dir), dir.string() + ": no such model directory (expected config.json + model.safetensors)");
  const fs::path config_path = dir / "config.json";
  const fs::path weights_path = dir / "model.safetensors";
  const fs::path shard_index = dir / "model.safetensors.index.json";
  require(fs::is_regular_file(config_path), config_path.string() + ": missing (an HF checkpoint directory needs config.json)");
  const bool sharded = !fs::is_regular_file(weights_path) && fs::is_regular_file(shard_index);
  require(fs::is_regular_file(weights_path) || sharded,
          weights_path.string() + ": missing (tpq reads safetensors; convert pytorch_model.bin with "
                                  "transformers' save_pretrained(safe_serialization=True))");
  Checkpoint checkpoint;
  checkpoint.config = model::EncoderConfig::load(config_path);
  checkpoint.model = model::EncoderClassifier(checkpoint.config);
  const SafetensorsFile file = sharded ? SafetensorsFile::open_sharded(shard_index) : SafetensorsFile::open(weights_path);
  std::set<std::string> kernel_modules;
  std::optional<quant::QuantizationInfo> quantization;
  if (checkpoint.config.extra.contains(quant::kQuantizationKey)) {
    quantization = quant::QuantizationInfo::from_json(checkpoint.config.extra[quant::kQuantizationKey], config_path.string());
    kernel_modules.insert(quantization->modules.begin(), quantization->modules.end());
    require(options.device.is_cpu(), dir.string() + ": INT8 checkpoints run on CPU (--device cpu)");
  }
  const auto sparse = sparse_tensor_names(checkpoint.config.extra, config_path.string());
  copy_weights(*checkpoint.model, file, options, kernel_modules, sparse, &checkpoint.freshly_initialised,
               &checkpoint.ignored);
  if (quantization) quant::attach_saved_kernels(*checkpoint.model, file, *quantization);
  if (checkpoint.config.extra.contains(quant::kHalfPrecisionKey)) {
    require(options.device.is_cpu(), dir.string() + ": FP16/BF16 checkpoints made by tpq run on CPU (--device cpu)");
    const auto half = quant::HalfPrecisionInfo::from_json(checkpoint.config.extra[quant::kHalfPrecisionKey], config_path.string());
    quant::attach_half_kernels(*checkpoint.model, half);
  }
  if (!checkpoint.freshly_initialised.empty()) {
    spdlog::warn("{}: initialised fresh (not in checkpoint): {}", dir.string(), name_list(checkpoint.freshly_initialised));
  }
  checkpoint.model->to(options.device);
  checkpoint.model->eval();
  if (options.load_tokenizer) checkpoint.tokenizer = tokenize::load_tokenizer(dir);
  return checkpoint;
}

void save_checkpoint(const fs::path& dir, model::EncoderClassifierImpl& model,
                     const tokenize::Tokenizer* tokenizer) {
  const fs::path target = fs::absolute(dir).lexically_normal();
  require(target.has_filename(), dir.string() + ": not a directory name");
  fs::create_directories(target.parent_path());
  clean_stale_work_files(target.parent_path(), /*recursive=*/false);  // leftovers of killed saves
  const fs::path staging = target.parent_path() / (target.filename().string() + ".partial-" + std::to_string(::getpid()));
  fs::remove_all(staging);
  fs::create_directories(staging);
  try {
    auto tensors = model::model_state_tensors(model);
    auto config = model.config.to_json();
    // Pruned weights listed under tpq_sparse are stored as bitmask + non-zero values.
    const auto sparse = sparse_tensor_names(model.config.extra, "model config");
    if (!sparse.empty()) config[kSparseKey] = sparse_section(pack_sparse_tensors(tensors, sparse));
    save_safetensors(staging / "model.safetensors", tensors, {{"format", "pt"}});
    write_json_atomic(staging / "config.json", config);
    if (tokenizer != nullptr) tokenizer->save(staging);
    // Swap in: the old checkpoint stays until the new one is complete.
    swap_into_place(staging, target);
  } catch (const fs::filesystem_error& error) {
    fs::remove_all(staging);
    throw UserError(target.string() + ": cannot save checkpoint: " + error.code().message());
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(staging, ignored);
    throw;
  }
}

uint64_t directory_bytes(const fs::path& dir) {
  uint64_t total = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) total += entry.file_size();
  }
  return total;
}

}  // namespace tpq::checkpoint
