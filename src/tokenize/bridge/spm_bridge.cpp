// libtpq_spm_bridge.so: sentencepiece training/encoding behind a C ABI (spm_bridge_abi.h). Built
// as its own shared library and dlopen()ed by libtpq, so sentencepiece never links into torch users.
#include "spm_bridge_abi.h"

#include <cstring>
#include <exception>
#include <memory>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

struct tpq_spm_model {
  sentencepiece::SentencePieceProcessor processor;
};

namespace {

void write_error(const std::string& message, char* error, size_t error_size) {
  if (error == nullptr || error_size == 0) return;
  const size_t length = std::min(message.size(), error_size - 1);
  std::memcpy(error, message.data(), length);
  error[length] = '\0';
}

// Feeds in-memory sentences to the trainer.
class VectorSentenceIterator : public sentencepiece::SentenceIterator {
 public:
  VectorSentenceIterator(const char* const* sentences, size_t count) : sentences_(sentences), count_(count) {
    load();
  }
  bool done() const override { return index_ >= count_; }
  void Next() override {
    ++index_;
    load();
  }
  const std::string& value() const override { return current_; }
  sentencepiece::util::Status status() const override { return sentencepiece::util::Status(); }

 private:
  void load() {
    if (index_ < count_) current_ = sentences_[index_] != nullptr ? sentences_[index_] : "";
  }
  const char* const* sentences_;
  size_t count_;
  size_t index_ = 0;
  std::string current_;
};

// "key=value" lines -> the kwargs map the trainer takes (robust to spaces in paths).
std::unordered_map<std::string, std::string> parse_options(const char* options) {
  std::unordered_map<std::string, std::string> kwargs;
  std::istringstream lines(options != nullptr ? options : "");
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    const size_t equals = line.find('=');
    if (equals == std::string::npos) {
      kwargs[line] = "true";
    } else {
      kwargs[line.substr(0, equals)] = line.substr(equals + 1);
    }
  }
  return kwargs;
}

}  // namespace

extern "C" {

int tpq_spm_abi_version(void) { return TPQ_SPM_BRIDGE_ABI_VERSION; }

int tpq_spm_train(const char* options, const char* const* sentences, size_t count, uint32_t seed, char* error,
                  size_t error_size) {
  try {
    sentencepiece::SetRandomGeneratorSeed(seed);
    const auto kwargs = parse_options(options);
    sentencepiece::util::Status status;
    if (sentences != nullptr) {
      VectorSentenceIterator iterator(sentences, count);
      status = sentencepiece::SentencePieceTrainer::Train(kwargs, &iterator);
    } else {
      status = sentencepiece::SentencePieceTrainer::Train(kwargs);
    }
    if (!status.ok()) {
      write_error(status.ToString(), error, error_size);
      return 1;
    }
    return 0;
  } catch (const std::exception& caught) {
    write_error(caught.what(), error, error_size);
    return 1;
  }
}

tpq_spm_model* tpq_spm_load(const char* model_path, char* error, size_t error_size) {
  try {
    auto model = std::make_unique<tpq_spm_model>();
    const auto status = model->processor.Load(model_path);
    if (!status.ok()) {
      write_error(status.ToString(), error, error_size);
      return nullptr;
    }
    return model.release();
  } catch (const std::exception& caught) {
    write_error(caught.what(), error, error_size);
    return nullptr;
  }
}

void tpq_spm_free(tpq_spm_model* model) { delete model; }

int tpq_spm_encode(const tpq_spm_model* model, const char* text, size_t length, tpq_spm_piece_callback on_piece,
                   void* context, char* error, size_t error_size) {
  try {
    sentencepiece::ImmutableSentencePieceText pieces;
    const auto status = model->processor.Encode(absl::string_view(text, length), pieces.mutable_proto());
    if (!status.ok()) {
      write_error(status.ToString(), error, error_size);
      return 1;
    }
    for (size_t i = 0; i < pieces.pieces_size(); ++i) {
      const auto piece = pieces.pieces(static_cast<int>(i));
      on_piece(context, static_cast<int32_t>(piece.id()), piece.piece().data(), piece.piece().size());
    }
    return 0;
  } catch (const std::exception& caught) {
    write_error(caught.what(), error, error_size);
    return 1;
  }
}

int32_t tpq_spm_vocab_size(const tpq_spm_model* model) { return model->processor.GetPieceSize(); }

const char* tpq_spm_id_to_piece(const tpq_spm_model* model, int32_t id) {
  if (id < 0 || id >= model->processor.GetPieceSize()) return nullptr;
  return model->processor.IdToPiece(id).c_str();
}

float tpq_spm_score(const tpq_spm_model* model, int32_t id) {
  if (id < 0 || id >= model->processor.GetPieceSize()) return 0.0f;
  return model->processor.GetScore(id);
}

int32_t tpq_spm_piece_to_id(const tpq_spm_model* model, const char* piece) {
  return model->processor.PieceToId(piece);
}

}  // extern "C"
