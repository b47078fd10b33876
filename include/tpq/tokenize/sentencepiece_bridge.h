// Run-time access to libtpq_spm_bridge.so (sentencepiece behind a C ABI). tpq never links
// sentencepiece: its embedded protobuf-lite would clash with LibTorch's libprotobuf.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tpq::tokenize {

struct SpmBridgeFunctions;  // resolved entry points (sentencepiece_bridge.cpp)

// A loaded sentencepiece model. Methods are const and safe to call from several threads.
class SentencePieceModel {
 public:
  ~SentencePieceModel();
  SentencePieceModel(const SentencePieceModel&) = delete;
  SentencePieceModel& operator=(const SentencePieceModel&) = delete;

  // Piece ids of `text` (must be valid UTF-8; callers sanitise first).
  std::vector<int64_t> encode(std::string_view text) const { return encode_collecting(text, nullptr); }
  // Piece ids plus the pieces as sentencepiece returns them (unknown text keeps its surface form).
  std::vector<int64_t> encode(std::string_view text, std::vector<std::string>& pieces) const {
    return encode_collecting(text, &pieces);
  }
  int64_t vocab_size() const;
  std::string id_to_piece(int64_t id) const;  // UserError when out of range
  float score(int64_t id) const;  // 0 when out of range
  int64_t piece_to_id(const std::string& piece) const;

 private:
  friend class SentencePieceBridge;
  std::vector<int64_t> encode_collecting(std::string_view text, std::vector<std::string>* pieces) const;
  SentencePieceModel(const SpmBridgeFunctions* functions, void* handle) : functions_(functions), handle_(handle) {}
  const SpmBridgeFunctions* functions_;
  void* handle_;  // tpq_spm_model*
};

class SentencePieceBridge {
 public:
  // The process-wide bridge, loaded on first use from (in order) $TPQ_SPM_BRIDGE,
  // <dir of this executable>/../lib/libtpq_spm_bridge.so, or the build tree's path.
  // UserError listing the places tried when none loads.
  static const SentencePieceBridge& instance();

  // Trains a model. `options`: one "key=value" per line (spm_train flag names, no "--").
  // `sentences` (may be null) replaces the "input" corpus file. UserError with spm's message.
  void train(const std::string& options, const std::vector<std::string>* sentences, uint32_t seed) const;

  // UserError naming the file when it is missing or not a sentencepiece model.
  std::unique_ptr<SentencePieceModel> load(const std::filesystem::path& model_file) const;

  const std::filesystem::path& library_path() const { return library_path_; }

 private:
  SentencePieceBridge(std::filesystem::path library_path, std::unique_ptr<SpmBridgeFunctions> functions);
  static std::unique_ptr<SentencePieceBridge> open();

  std::filesystem::path library_path_;
  std::unique_ptr<SpmBridgeFunctions> functions_;
};

}  // namespace tpq::tokenize
