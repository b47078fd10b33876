// tokenizer.json (HF `tokenizers`) for byte-level BPE: the BPE model, the ByteLevel pre-tokenizer's
// options, RobertaProcessing's <s> / </s>, and added tokens. Anything that would change ids in a way
// tpq does not implement (dropout, a normaliser, another pre-tokenizer or layout) is refused by name.
#include <algorithm>

#include "bpe_files.h"
#include "json_fields.h"

namespace tpq::tokenize {
namespace {

using nlohmann::json;

bool is_null_or(const json& object, const char* key, const json& accepted) {
  return !object.contains(key) || object[key].is_null() || object[key] == accepted;
}

std::vector<BpeMerge> merges_from_json(const json& merges, const std::filesystem::path& path) {
  require(merges.is_array(), path.string() + ": model.merges must be a list — re-export the tokenizer");
  std::vector<BpeMerge> result;
  result.reserve(merges.size());
  for (size_t i = 0; i < merges.size(); ++i) {
    const json& merge = merges[i];
    std::string left, right;
    if (merge.is_string()) {  // "Ġ t" (tokenizers < 0.20)
      const std::string text = merge.get<std::string>();
      const size_t space = text.find(' ');
      if (space != std::string::npos && text.find(' ', space + 1) == std::string::npos) {
        left = text.substr(0, space);
        right = text.substr(space + 1);
      }
    } else if (merge.is_array() && merge.size() == 2 && merge[0].is_string() && merge[1].is_string()) {
      left = merge[0].get<std::string>();  // ["Ġ", "t"] (tokenizers >= 0.20)
      right = merge[1].get<std::string>();
    }
    require(!left.empty() && !right.empty(), path.string() + ": model.merges[" + std::to_string(i) + "] is " +
                                                 merge.dump() + ", expected \"left right\" or [\"left\", \"right\"]");
    result.emplace_back(std::move(left), std::move(right));
  }
  return result;
}

void check_bpe_model(const json& model, const std::filesystem::path& path) {
  require(model.is_object(), path.string() + ": no model object — re-export the tokenizer");
  const std::string type = type_text(model, "BPE");
  require(type == "BPE", path.string() + ": model.type '" + type + "' is not BPE");
  require(is_null_or(model, "dropout", 0.0),
          path.string() + ": model.dropout is set — BPE dropout makes ids random; set it to null for inference");
  require(is_null_or(model, "continuing_subword_prefix", "") && is_null_or(model, "end_of_word_suffix", ""),
          path.string() + ": model.continuing_subword_prefix / end_of_word_suffix are not byte-level BPE's "
                          "(both must be empty) — tpq reads GPT-2/RoBERTa-style BPE");
  require(is_null_or(model, "ignore_merges", false),
          path.string() + ": model.ignore_merges is true, which tpq does not implement — use a RoBERTa-style tokenizer");
}

// ByteLevel alone or as the only member of a Sequence: its add_prefix_space and trim_offsets.
void apply_pre_tokenizer(const json& tokenizer, const std::filesystem::path& path, BpeConfig& config) {
  const json* byte_level = tokenizer.contains("pre_tokenizer") ? &tokenizer["pre_tokenizer"] : nullptr;
  if (byte_level != nullptr && type_text(*byte_level, "") == "Sequence" && byte_level->contains("pretokenizers") &&
      (*byte_level)["pretokenizers"].is_array() && (*byte_level)["pretokenizers"].size() == 1) {
    byte_level = &(*byte_level)["pretokenizers"][0];
  }
  const std::string type = byte_level == nullptr ? "none" : type_text(*byte_level, "none");
  require(type == "ByteLevel", path.string() + ": pre_tokenizer '" + type +
                                   "' is not supported for BPE — tpq reads byte-level BPE (pre_tokenizer ByteLevel)");
  require(is_null_or(*byte_level, "use_regex", true),
          path.string() + ": pre_tokenizer.use_regex is false — tpq splits with GPT-2's regex (use_regex true)");
  if (byte_level->contains("add_prefix_space")) {
    config.add_prefix_space = get_typed<bool>(*byte_level, "add_prefix_space", path, "true or false");
  }
  if (byte_level->contains("trim_offsets")) {
    config.trim_offsets = get_typed<bool>(*byte_level, "trim_offsets", path, "true or false");
  }
}

// RobertaProcessing {"cls": ["<s>", 0], "sep": ["</s>", 2]}: the tokens around every input.
void apply_post_processor(const json& tokenizer, const std::filesystem::path& path, BpeConfig& config) {
  const json processor = tokenizer.contains("post_processor") ? tokenizer["post_processor"] : json();
  const std::string type = type_text(processor, "none");
  require(type == "RobertaProcessing", path.string() + ": post_processor '" + type +
                                           "' is not supported — tpq lays out BPE inputs as RoBERTa "
                                           "(<s> A </s></s> B </s>, post_processor RobertaProcessing)");
  for (const auto& [key, target] : {std::make_pair("cls", &config.cls), std::make_pair("sep", &config.sep)}) {
    const json& entry = processor.contains(key) ? processor[key] : json();
    require(entry.is_array() && entry.size() == 2 && entry[0].is_string(),
            path.string() + ": post_processor." + key + " must be [\"token\", id]");
    target->content = entry[0].get<std::string>();
  }
  config.bos.content = config.cls.content;
  config.eos.content = config.sep.content;
}

// added_tokens: ids inside model.vocab must agree with it; the others extend it without gaps.
void apply_added_tokens(const json& tokenizer, const std::filesystem::path& path, BpeVocabulary& vocabulary,
                        BpeConfig& config) {
  if (!tokenizer.contains("added_tokens")) return;
  const json& added = tokenizer["added_tokens"];
  require(added.is_array(), path.string() + ": added_tokens must be a list");
  std::vector<std::pair<int64_t, BpeAddedToken>> beyond_vocab;
  for (const auto& entry : added) {
    require(entry.is_object() && entry.contains("id") && entry["id"].is_number_integer() && entry["id"] >= 0 &&
                entry.contains("content") && entry["content"].is_string(),
            path.string() + ": added token " + entry.dump() + " needs a string content and a non-negative id");
    BpeAddedToken token;
    token.content = entry["content"].get<std::string>();
    auto flag = [&](const char* key, bool fallback) {
      return entry.contains(key) && entry[key].is_boolean() ? entry[key].get<bool>() : fallback;
    };
    token.lstrip = flag("lstrip", false);
    token.rstrip = flag("rstrip", false);
    token.single_word = flag("single_word", false);
    token.normalized = flag("normalized", true);
    const auto id = entry["id"].get<int64_t>();
    if (id < static_cast<int64_t>(vocabulary.tokens.size())) {
      require(vocabulary.tokens[static_cast<size_t>(id)] == token.content,
              path.string() + ": added token " + json(token.content).dump() + " has id " + std::to_string(id) +
                  ", which model.vocab gives to " + json(vocabulary.tokens[static_cast<size_t>(id)]).dump());
    } else {
      beyond_vocab.emplace_back(id, token);
    }
    bool named = false;
    for (BpeAddedToken* special : {&config.bos, &config.eos, &config.unk, &config.sep, &config.pad, &config.cls,
                                   &config.mask}) {
      if (special->content != token.content) continue;
      *special = token;
      named = true;
    }
    if (!named) config.added_tokens.push_back(token);
  }
  std::sort(beyond_vocab.begin(), beyond_vocab.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [id, token] : beyond_vocab) {
    require(id == static_cast<int64_t>(vocabulary.tokens.size()),
            path.string() + ": added token " + json(token.content).dump() + " has id " + std::to_string(id) +
                " but the next free id is " + std::to_string(vocabulary.tokens.size()) + " — ids must have no gaps");
    vocabulary.tokens.push_back(token.content);
  }
}

}  // namespace

BpeVocabulary read_bpe_tokenizer_json(const std::filesystem::path& path, BpeConfig& config) {
  const json tokenizer = read_json(path);
  require(tokenizer.is_object() && tokenizer.contains("model"), path.string() + ": expected a tokenizer.json object with a model");
  const json& model = tokenizer["model"];
  check_bpe_model(model, path);
  // The message reads tokenizer["normalizer"], so it is built only when the key is there: a const
  // json's operator[] on a missing key reads freed memory (found by tokenizer_files_fuzz).
  if (tokenizer.contains("normalizer") && !tokenizer["normalizer"].is_null()) {
    throw UserError(path.string() + ": normalizer '" + type_text(tokenizer["normalizer"], "?") +
                    "' is not supported for byte-level BPE — RoBERTa's tokenizer.json has none (null)");
  }
  BpeVocabulary vocabulary;
  require(model.contains("vocab") && model.contains("merges"), path.string() + ": model.vocab or model.merges is missing");
  vocabulary.tokens = tokens_from_vocab_object(model["vocab"], path.string() + ": model.vocab");
  vocabulary.model_vocab_size = vocabulary.tokens.size();
  vocabulary.merges = merges_from_json(model["merges"], path);
  apply_pre_tokenizer(tokenizer, path, config);
  apply_post_processor(tokenizer, path, config);
  apply_added_tokens(tokenizer, path, vocabulary, config);
  return vocabulary;
}

}  // namespace tpq::tokenize
