// dlopen()s libtpq_spm_bridge.so with RTLD_LOCAL|RTLD_DEEPBIND, so sentencepiece's protobuf
// symbols bind inside the bridge and never meet LibTorch's libprotobuf; wraps its C ABI.
#include "tpq/tokenize/sentencepiece_bridge.h"

#include <dlfcn.h>

#include <cstdlib>

#include "bridge/spm_bridge_abi.h"
#include "tpq/build_info.h"
#include "tpq/core/error.h"
#include "tpq/core/sanitizers.h"

namespace tpq::tokenize {

struct SpmBridgeFunctions {
  decltype(&tpq_spm_abi_version) abi_version;
  decltype(&tpq_spm_train) train;
  decltype(&tpq_spm_load) load;
  decltype(&tpq_spm_free) free;
  decltype(&tpq_spm_encode) encode;
  decltype(&tpq_spm_vocab_size) vocab_size;
  decltype(&tpq_spm_id_to_piece) id_to_piece;
  decltype(&tpq_spm_score) score;
  decltype(&tpq_spm_piece_to_id) piece_to_id;
};

namespace {

constexpr size_t kErrorSize = 2048;

std::vector<std::filesystem::path> candidate_paths() {
  std::vector<std::filesystem::path> candidates;
  std::error_code ignored;
  const auto executable = std::filesystem::read_symlink("/proc/self/exe", ignored);
  if (!executable.empty()) candidates.push_back(executable.parent_path() / ".." / "lib" / "libtpq_spm_bridge.so");
  candidates.emplace_back(TPQ_SPM_BRIDGE_PATH);
  return candidates;
}

template <typename Function>
void resolve(void* library, const char* name, Function& target, const std::filesystem::path& path) {
  target = reinterpret_cast<Function>(dlsym(library, name));
  require(target != nullptr, path.string() + ": symbol " + name + " missing — rebuild tpq (stale libtpq_spm_bridge.so)");
}

// Collects the pieces of one encode call (the bridge calls back per piece).
struct PieceCollector {
  std::vector<int64_t>* ids;
  std::vector<std::string>* pieces;  // null when only ids are wanted
  static void on_piece(void* context, int32_t id, const char* piece, size_t length) {
    auto* self = static_cast<PieceCollector*>(context);
    self->ids->push_back(id);
    if (self->pieces != nullptr) self->pieces->emplace_back(piece, length);
  }
};

}  // namespace

SentencePieceBridge::SentencePieceBridge(std::filesystem::path library_path,
                                         std::unique_ptr<SpmBridgeFunctions> functions)
    : library_path_(std::move(library_path)), functions_(std::move(functions)) {}

std::unique_ptr<SentencePieceBridge> SentencePieceBridge::open() {
  // ASan aborts the whole process on RTLD_DEEPBIND (google/sanitizers#611); refuse cleanly instead.
  if (kAddressSanitizer) {
    throw UserError("sentencepiece is unavailable in this AddressSanitizer build: its bridge must be dlopen()ed with "
                    "RTLD_DEEPBIND, which ASan refuses — use a normal build (or a WordPiece vocab.txt model)");
  }
  std::vector<std::filesystem::path> candidates;
  const char* override_path = std::getenv("TPQ_SPM_BRIDGE");
  const bool overridden = override_path != nullptr && *override_path != '\0';
  if (overridden) {
    candidates.emplace_back(override_path);  // an explicit choice: no silent fallback
  } else {
    candidates = candidate_paths();
  }
  std::string tried;
  for (const auto& path : candidates) {
    if (!overridden && !std::filesystem::exists(path)) {
      tried += " " + path.string() + " (absent);";
      continue;
    }
    // Never dlclose()d: sentencepiece's static state must outlive every model.
    void* library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (library == nullptr) {
      const char* reason = dlerror();
      tried += " " + path.string() + " (" + (reason != nullptr ? reason : "dlopen failed") + ");";
      continue;
    }
    auto functions = std::make_unique<SpmBridgeFunctions>();
    resolve(library, "tpq_spm_abi_version", functions->abi_version, path);
    require(functions->abi_version() == TPQ_SPM_BRIDGE_ABI_VERSION,
            path.string() + ": bridge ABI version mismatch — rebuild tpq so bridge and library match");
    resolve(library, "tpq_spm_train", functions->train, path);
    resolve(library, "tpq_spm_load", functions->load, path);
    resolve(library, "tpq_spm_free", functions->free, path);
    resolve(library, "tpq_spm_encode", functions->encode, path);
    resolve(library, "tpq_spm_vocab_size", functions->vocab_size, path);
    resolve(library, "tpq_spm_id_to_piece", functions->id_to_piece, path);
    resolve(library, "tpq_spm_score", functions->score, path);
    resolve(library, "tpq_spm_piece_to_id", functions->piece_to_id, path);
    return std::unique_ptr<SentencePieceBridge>(new SentencePieceBridge(path, std::move(functions)));
  }
  throw UserError("sentencepiece bridge libtpq_spm_bridge.so not loadable; tried:" + tried +
                  " — build target tpq_spm_bridge, install it to <prefix>/lib beside bin/, or set TPQ_SPM_BRIDGE");
}

const SentencePieceBridge& SentencePieceBridge::instance() {
  // A failed open throws out of the initialiser, so the next call tries again.
  static const std::unique_ptr<SentencePieceBridge> bridge = open();
  return *bridge;
}

void SentencePieceBridge::train(const std::string& options, const std::vector<std::string>* sentences,
                                uint32_t seed) const {
  std::vector<const char*> sentence_pointers;
  if (sentences != nullptr) {
    sentence_pointers.reserve(sentences->size());
    for (const auto& sentence : *sentences) sentence_pointers.push_back(sentence.c_str());
  }
  char error[kErrorSize] = {};
  const int status = functions_->train(options.c_str(), sentences != nullptr ? sentence_pointers.data() : nullptr,
                                       sentence_pointers.size(), seed, error, sizeof(error));
  require(status == 0, std::string("sentencepiece training failed: ") + error +
                           " — check the corpus (enough distinct text for the vocab size) and the options");
}

std::unique_ptr<SentencePieceModel> SentencePieceBridge::load(const std::filesystem::path& model_file) const {
  require(std::filesystem::is_regular_file(model_file),
          model_file.string() + ": sentencepiece model not found — train one or check the model directory");
  char error[kErrorSize] = {};
  void* handle = functions_->load(model_file.c_str(), error, sizeof(error));
  require(handle != nullptr, model_file.string() + ": not a valid sentencepiece model (" + error +
                                 ") — retrain it or restore the file");
  return std::unique_ptr<SentencePieceModel>(new SentencePieceModel(functions_.get(), handle));
}

SentencePieceModel::~SentencePieceModel() { functions_->free(static_cast<tpq_spm_model*>(handle_)); }

std::vector<int64_t> SentencePieceModel::encode_collecting(std::string_view text,
                                                          std::vector<std::string>* pieces) const {
  std::vector<int64_t> ids;
  PieceCollector collector{&ids, pieces};
  char error[kErrorSize] = {};
  const int status = functions_->encode(static_cast<const tpq_spm_model*>(handle_), text.data(), text.size(),
                                        &PieceCollector::on_piece, &collector, error, sizeof(error));
  require(status == 0, std::string("sentencepiece encoding failed: ") + error);
  return ids;
}

int64_t SentencePieceModel::vocab_size() const {
  return functions_->vocab_size(static_cast<const tpq_spm_model*>(handle_));
}

std::string SentencePieceModel::id_to_piece(int64_t id) const {
  const char* piece = id < 0 || id > INT32_MAX ? nullptr
                                               : functions_->id_to_piece(static_cast<const tpq_spm_model*>(handle_),
                                                                         static_cast<int32_t>(id));
  require(piece != nullptr, "sentencepiece: id " + std::to_string(id) + " is outside the vocabulary");
  return piece;
}

float SentencePieceModel::score(int64_t id) const {
  if (id < 0 || id > INT32_MAX) return 0.0f;
  return functions_->score(static_cast<const tpq_spm_model*>(handle_), static_cast<int32_t>(id));
}

int64_t SentencePieceModel::piece_to_id(const std::string& piece) const {
  return functions_->piece_to_id(static_cast<const tpq_spm_model*>(handle_), piece.c_str());
}

}  // namespace tpq::tokenize
