// BPE merging against a line-by-line port of the slow tokenizer's bpe() loop, on hand-picked
// merge tables (rounds, overlaps, repeated pairs, unknown pieces) and on random ones.
#include <map>
#include <random>

#include <gtest/gtest.h>

#include "tpq/tokenize/bpe_model.h"
#include "tpq/tokenize/byte_level.h"

namespace tpq::tokenize {
namespace {

// transformers' RobertaTokenizer.bpe(), on strings: per round, the lowest-ranked pair is merged at
// every occurrence, scanning left to right.
std::vector<std::string> reference_bpe(const std::string& raw_word, const std::vector<BpeMerge>& merges) {
  std::map<BpeMerge, size_t> ranks;
  for (size_t i = 0; i < merges.size(); ++i) ranks[merges[i]] = i;  // a repeated pair keeps its last rank
  std::string mapped;
  append_byte_level(raw_word, mapped);
  std::vector<std::string> word;
  for (const char byte : raw_word) {
    word.emplace_back();
    append_byte_level(std::string(1, byte), word.back());
  }
  while (word.size() > 1) {
    const BpeMerge* best = nullptr;
    size_t best_rank = 0;
    for (size_t i = 0; i + 1 < word.size(); ++i) {
      const auto it = ranks.find({word[i], word[i + 1]});
      if (it != ranks.end() && (best == nullptr || it->second < best_rank)) best = &it->first, best_rank = it->second;
    }
    if (best == nullptr) break;
    std::vector<std::string> merged;
    for (size_t i = 0; i < word.size();) {
      if (i + 1 < word.size() && word[i] == best->first && word[i + 1] == best->second) {
        merged.push_back(word[i] + word[i + 1]);
        i += 2;
      } else {
        merged.push_back(word[i++]);
      }
    }
    word = std::move(merged);
  }
  return word;
}

// A vocabulary of the 256 byte characters plus `extra` tokens; "<unk>" is id 256.
Vocab vocab_with(const std::vector<std::string>& extra) {
  std::vector<std::string> tokens;
  for (int byte = 0; byte < 256; ++byte) {
    tokens.emplace_back();
    append_byte_level(std::string(1, static_cast<char>(byte)), tokens.back());
  }
  tokens.emplace_back("<unk>");
  tokens.insert(tokens.end(), extra.begin(), extra.end());
  return Vocab(tokens, "test");
}

std::vector<std::string> pieces(const BpeModel& model, const Vocab& vocab, const std::string& word) {
  std::vector<int64_t> ids;
  model.encode_word(word, ids);
  std::vector<std::string> result;
  for (const int64_t id : ids) result.push_back(vocab.token(id));
  return result;
}

using Pieces = std::vector<std::string>;

TEST(BpeModelTest, AppliesMergesByRank) {
  const std::vector<BpeMerge> merges = {{"l", "o"}, {"lo", "w"}, {"e", "r"}, {"Ġ", "low"}, {"low", "er"}};
  const Vocab vocab = vocab_with({"lo", "low", "er", "Ġlow", "lower"});
  const BpeModel model(vocab, merges, 256);
  EXPECT_EQ(pieces(model, vocab, "lower"), (Pieces{"lower"}));
  EXPECT_EQ(pieces(model, vocab, " lower"), (Pieces{"Ġlow", "er"}));  // rank 3 beats rank 4
  EXPECT_EQ(pieces(model, vocab, "slow"), (Pieces{"s", "low"}));
  EXPECT_EQ(pieces(model, vocab, "x"), (Pieces{"x"}));
  EXPECT_EQ(model.merge_count(), 5u);
}

TEST(BpeModelTest, MergesEveryOccurrenceLeftToRightPerRound) {
  const Vocab vocab = vocab_with({"aa", "aaa"});
  const BpeModel pairs(vocab, {{"a", "a"}}, 256);
  EXPECT_EQ(pieces(pairs, vocab, "aaa"), (Pieces{"aa", "a"}));  // not "a" + "aa": the left pair goes first
  EXPECT_EQ(pieces(pairs, vocab, "aaaaa"), (Pieces{"aa", "aa", "a"}));
  const BpeModel triples(vocab, {{"a", "a"}, {"aa", "a"}}, 256);
  EXPECT_EQ(pieces(triples, vocab, "aaaaa"), (Pieces{"aa", "aaa"}));  // every "a a" first, then "aa a"
}

TEST(BpeModelTest, FinishesARoundBeforeABetterRankedNewPair) {
  // (ab, a) outranks (a, b): a greedy one-merge-at-a-time heap would give "aba" + "b".
  const std::vector<BpeMerge> merges = {{"ab", "a"}, {"a", "b"}};
  const Vocab vocab = vocab_with({"ab", "aba"});
  const BpeModel model(vocab, merges, 256);
  EXPECT_EQ(pieces(model, vocab, "abab"), reference_bpe("abab", merges));
  EXPECT_EQ(pieces(model, vocab, "abab"), (Pieces{"ab", "ab"}));
}

TEST(BpeModelTest, RepeatedPairTakesItsLastRankAndUnknownPiecesAreUnk) {
  const std::vector<BpeMerge> merges = {{"b", "c"}, {"a", "b"}, {"b", "c"}};
  const Vocab vocab = vocab_with({"ab", "bc"});
  const BpeModel model(vocab, merges, 256);
  EXPECT_EQ(pieces(model, vocab, "abc"), (Pieces{"ab", "c"}));  // (b, c) has rank 2 now, not 0
  EXPECT_EQ(pieces(model, vocab, "abc"), reference_bpe("abc", merges));
  // A merge whose result is not in the vocabulary still merges; the piece becomes <unk>.
  const std::vector<BpeMerge> to_unknown = {{"x", "y"}};
  const BpeModel unknown(vocab, to_unknown, 256);
  EXPECT_EQ(pieces(unknown, vocab, "xyz"), (Pieces{"<unk>", "z"}));
}

TEST(BpeModelTest, MatchesReferenceLoopOnRandomTables) {
  std::mt19937 random(17);
  const std::string alphabet = "abc ";
  for (int table = 0; table < 200; ++table) {
    std::vector<std::string> known = {"a", "b", "c", "Ġ"};
    std::vector<BpeMerge> merges;
    for (int i = 0; i < 12; ++i) {  // merges of known strings, in random rank order (not always learnable)
      const std::string& left = known[random() % known.size()];
      const std::string& right = known[random() % known.size()];
      merges.emplace_back(left, right);
      if (random() % 2 == 0) known.push_back(left + right);
    }
    std::shuffle(merges.begin(), merges.end(), random);
    std::vector<std::string> extra(known.begin() + 4, known.end());
    std::sort(extra.begin(), extra.end());
    extra.erase(std::unique(extra.begin(), extra.end()), extra.end());
    const Vocab vocab = vocab_with(extra);
    const BpeModel model(vocab, merges, 256);
    for (int word = 0; word < 20; ++word) {
      std::string text;
      for (int i = static_cast<int>(random() % 12) + 1; i > 0; --i) text.push_back(alphabet[random() % alphabet.size()]);
      auto expected = reference_bpe(text, merges);
      for (auto& piece : expected) {
        if (!vocab.contains(piece)) piece = "<unk>";
      }
      ASSERT_EQ(pieces(model, vocab, text), expected) << "table " << table << " word '" << text << "'";
    }
  }
}

TEST(BpeModelTest, LongWordsStayFast) {
  const std::vector<BpeMerge> merges = {{"a", "a"}, {"aa", "aa"}, {"aaaa", "aaaa"}};
  const Vocab vocab = vocab_with({"aa", "aaaa", "aaaaaaaa"});
  const BpeModel model(vocab, merges, 256);
  std::vector<int64_t> ids;
  model.encode_word(std::string(1 << 20, 'a'), ids);  // a megabyte: O(n log n), well under a second
  EXPECT_EQ(ids.size(), size_t{1} << 17);
}

}  // namespace
}  // namespace tpq::tokenize
