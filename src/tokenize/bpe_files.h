// The files of a byte-level BPE tokenizer: vocab.json + merges.txt (+ added_tokens.json), the BPE
// model of a tokenizer.json, and tokenizer_config.json / special_tokens_map.json, read and written as
// transformers' RobertaTokenizer does. Every malformed file is a one-line UserError naming it.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tpq/tokenize/bpe_tokenizer.h"

namespace tpq::tokenize {

// {token: id} with ids 0..n-1, each once, as the id -> token table; `where` names it in errors.
std::vector<std::string> tokens_from_vocab_object(const nlohmann::json& vocab, const std::string& where);

// dir/vocab.json, dir/merges.txt and, when present, dir/added_tokens.json (consecutive ids after the vocab).
BpeVocabulary read_vocab_and_merges(const std::filesystem::path& dir);

// The vocabulary, merges and added tokens of a tokenizer.json whose model is BPE, plus the options it
// carries (add_prefix_space, the <s> and </s> of RobertaProcessing, added tokens' strip flags).
BpeVocabulary read_bpe_tokenizer_json(const std::filesystem::path& path, BpeConfig& config);

// Applies dir/tokenizer_config.json then dir/special_tokens_map.json (each if present).
void apply_bpe_config_files(const std::filesystem::path& dir, BpeConfig& config);

// Writes dir/vocab.json, dir/merges.txt and dir/added_tokens.json (when `tokens` has added ones).
void write_vocab_and_merges(const std::filesystem::path& dir, const std::vector<std::string>& tokens,
                            size_t model_vocab_size, const std::vector<BpeMerge>& merges);

// Merges the options into dir/tokenizer_config.json (other keys kept) and writes special_tokens_map.json.
void write_bpe_config_files(const std::filesystem::path& dir, const BpeConfig& config);

}  // namespace tpq::tokenize
