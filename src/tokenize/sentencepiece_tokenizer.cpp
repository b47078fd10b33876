// SentencePieceTokenizer: trains (through the dlopen()ed bridge) with tpq's fixed special ids and
// lower-casing normalisation, and encodes with the shared BERT layout.
#include "tpq/tokenize/sentencepiece_tokenizer.h"

#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

#include "tpq/core/error.h"
#include "tpq/tokenize/utf8.h"

namespace tpq::tokenize {
namespace {

std::string read_file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  require(static_cast<bool>(in), path.string() + ": cannot open — check the path");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  require(static_cast<bool>(out), path.string() + ": cannot write — check the directory is writable");
  out << bytes;
  require(static_cast<bool>(out.flush()), path.string() + ": write failed (disk full?)");
}

// spm training flags: fixed special ids, case-folding NFKC, sampled and shuffled input.
std::string training_flags(const std::filesystem::path& output_dir, const SentencePieceTrainOptions& options) {
  const unsigned threads = options.num_threads > 0 ? static_cast<unsigned>(options.num_threads)
                                                   : std::max(1u, std::thread::hardware_concurrency());
  std::ostringstream flags;
  flags << "model_prefix=" << (output_dir / "sentencepiece").string() << '\n'
        << "vocab_size=" << options.vocab_size << '\n'
        << "model_type=" << options.model_type << '\n'
        << "pad_id=0\nunk_id=1\nbos_id=-1\neos_id=-1\n"
        << "pad_piece=[PAD]\nunk_piece=[UNK]\nuser_defined_symbols=[CLS],[SEP],[MASK]\n"
        << "normalization_rule_name=nmt_nfkc_cf\n"
        << "input_sentence_size=" << options.input_sentence_size << '\n'
        << "shuffle_input_sentence=true\n"
        << "num_threads=" << threads << '\n'
        << "character_coverage=" << options.character_coverage << '\n'
        << "max_sentence_length=" << options.max_sentence_length << '\n'
        << "minloglevel=1\n";  // keep spm's per-iteration INFO lines out of our logs
  return flags.str();
}

void validate(const SentencePieceTrainOptions& options) {
  require(options.model_type == "unigram" || options.model_type == "bpe",
          "sentencepiece: model_type '" + options.model_type + "' is not supported — use \"unigram\" or \"bpe\"");
  require(options.vocab_size > 5, "sentencepiece: vocab_size " + std::to_string(options.vocab_size) +
                                      " leaves no room beside the 5 special pieces — use e.g. 8000");
  require(options.input_sentence_size > 0, "sentencepiece: input_sentence_size must be positive");
}

}  // namespace

SentencePieceTokenizer::SentencePieceTokenizer(const std::filesystem::path& model_file)
    : model_(SentencePieceBridge::instance().load(model_file)), model_bytes_(read_file_bytes(model_file)) {
  const int64_t size = model_->vocab_size();
  id_to_piece_.reserve(static_cast<size_t>(size));
  for (int64_t id = 0; id < size; ++id) id_to_piece_.push_back(model_->id_to_piece(id));
  const char* expected[] = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
  for (int64_t id = 0; id < 5; ++id) {
    require(id < size && id_to_piece_[static_cast<size_t>(id)] == expected[id],
            model_file.string() + ": id " + std::to_string(id) + " must be the piece " + expected[id] +
                " — this model was not trained by tpq; retrain with SentencePieceTokenizer::train");
  }
}

std::unique_ptr<SentencePieceTokenizer> SentencePieceTokenizer::train_impl(
    const std::vector<std::string>* texts, const std::filesystem::path* corpus_file,
    const std::filesystem::path& output_dir, const SentencePieceTrainOptions& options) {
  validate(options);
  std::filesystem::create_directories(output_dir);
  std::string flags = training_flags(output_dir, options);
  std::vector<std::string> sanitized;
  if (texts != nullptr) {
    require(!texts->empty(), "sentencepiece: no training texts given — pass a non-empty corpus");
    sanitized.reserve(texts->size());
    for (const auto& text : *texts) sanitized.push_back(sanitize_utf8(text));
  } else {
    require(std::filesystem::is_regular_file(*corpus_file),
            corpus_file->string() + ": corpus file not found — give a text file with one sentence per line");
    // spm reads "input" as a comma-separated list of files.
    require(corpus_file->string().find(',') == std::string::npos,
            corpus_file->string() + ": sentencepiece cannot read a path containing ',' — rename the corpus file");
    flags += "input=" + corpus_file->string() + "\n";
  }
  SentencePieceBridge::instance().train(flags, texts != nullptr ? &sanitized : nullptr, options.seed);
  return std::make_unique<SentencePieceTokenizer>(output_dir / kModelFileName);
}

std::unique_ptr<SentencePieceTokenizer> SentencePieceTokenizer::train(const std::vector<std::string>& texts,
                                                                      const std::filesystem::path& output_dir,
                                                                      const SentencePieceTrainOptions& options) {
  return train_impl(&texts, nullptr, output_dir, options);
}

std::unique_ptr<SentencePieceTokenizer> SentencePieceTokenizer::train_from_file(
    const std::filesystem::path& corpus_file, const std::filesystem::path& output_dir,
    const SentencePieceTrainOptions& options) {
  return train_impl(nullptr, &corpus_file, output_dir, options);
}

std::vector<int64_t> SentencePieceTokenizer::encode_pieces(const std::string& text) const {
  if (is_valid_utf8(text)) return model_->encode(text);
  return model_->encode(sanitize_utf8(text));
}

Encoding SentencePieceTokenizer::encode(const std::string& text, const std::optional<std::string>& text_pair,
                                        const EncodeOptions& options) const {
  std::optional<std::vector<int64_t>> pair_ids;
  if (text_pair) pair_ids = encode_pieces(*text_pair);
  return assemble_encoding(encode_pieces(text), std::move(pair_ids),
                           SpecialTokensLayout::bert(kClsId, kSepId, kPadId), options, id_to_piece_);
}

std::vector<std::string> SentencePieceTokenizer::tokenize(const std::string& text) const {
  std::vector<std::string> tokens;
  for (const int64_t id : encode_pieces(text)) tokens.push_back(id_to_piece_.at(static_cast<size_t>(id)));
  return tokens;
}

void SentencePieceTokenizer::save(const std::filesystem::path& dir) const {
  std::filesystem::create_directories(dir);
  write_file_bytes(dir / kModelFileName, model_bytes_);
  std::ostringstream vocab;  // same format as spm_train's .vocab: piece<TAB>score
  for (size_t id = 0; id < id_to_piece_.size(); ++id) {
    vocab << id_to_piece_[id] << '\t' << model_->score(static_cast<int64_t>(id)) << '\n';
  }
  write_file_bytes(dir / kVocabFileName, vocab.str());
}

}  // namespace tpq::tokenize
