// Where a tokenizer puts its special tokens, as data: a single text is `prefix A suffix`, a pair is
// `prefix A middle B suffix`, plus the pad id, whether the family has token types, and its pair truncation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tpq::tokenize {

// How a pair that is too long is shortened. Both remove from the longer side first; once the two are
// equally long they differ in who keeps the odd token.
enum class PairTruncation {
  kTokenizersLongestFirst,  // HF `tokenizers` (fast) LongestFirst: the originally longer one (B on a tie)
  kTransformersLongestFirst,  // transformers' slow tokenizers: one token at a time, B first on a tie (A keeps it)
};

struct SpecialTokensLayout {
  std::vector<int64_t> prefix;  // before A: [CLS] or <s>
  std::vector<int64_t> middle;  // between A and B: [SEP] or </s></s>
  std::vector<int64_t> suffix;  // after the last text: [SEP] or </s>
  int64_t pad_id = 0;
  // True (BERT): B and the pair's suffix get token type 1. False (RoBERTa, type_vocab_size 1): every
  // token_type_id is 0 and HF's tokenizer returns none (model_input_names lacks them).
  bool has_token_type_ids = true;
  PairTruncation pair_truncation = PairTruncation::kTokenizersLongestFirst;

  size_t special_count(bool pair) const { return prefix.size() + suffix.size() + (pair ? middle.size() : 0); }

  // [CLS] A [SEP] (B [SEP]) with types 0/1, as HF's BERT tokenizers.
  static SpecialTokensLayout bert(int64_t cls, int64_t sep, int64_t pad) {
    return {{cls}, {sep}, {sep}, pad, true, PairTruncation::kTokenizersLongestFirst};
  }
  // <s> A </s> (</s> B </s>), no token types, as transformers' slow RobertaTokenizer (whose
  // build_inputs_with_special_tokens uses cls_token and sep_token).
  static SpecialTokensLayout roberta(int64_t cls, int64_t sep, int64_t pad) {
    return {{cls}, {sep, sep}, {sep}, pad, false, PairTruncation::kTransformersLongestFirst};
  }
};

}  // namespace tpq::tokenize
