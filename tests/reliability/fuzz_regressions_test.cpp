// Inputs the fuzzers (tests/fuzz) found crashing the parsers, kept as regression tests: each must
// now be a one-line UserError (or load), never another exception.
#include <string>

#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "tpq/core/config_tree.h"
#include "tpq/core/error.h"
#include "tpq/io/safetensors_header.h"
#include "tpq/model/encoder_config.h"
#include "tpq/tokenize/wordpiece_tokenizer.h"

namespace {

// config_yaml_fuzz: invalid UTF-8 in a YAML value of the wrong type; the error message's dump()
// threw nlohmann type_error 316 (invalid UTF-8) instead of reporting the type.
TEST(FuzzRegressions, YamlValueWithInvalidUtf8AndWrongTypeIsAUserError) {
  const std::string text = "training:\n  epochs: \xff\xff\xff\n  lr: [a, \xfe]\n";
  const auto tree = tpq::ConfigTree::from_yaml_string(text, "fuzz.yaml");
  tpq::ConfigSection section(tree, "training");
  try {
    section.get_int("epochs", 1);
    FAIL() << "expected a UserError";
  } catch (const tpq::UserError& error) {
    EXPECT_NE(std::string(error.what()).find("training.epochs"), std::string::npos) << error.what();
  }
  EXPECT_THROW(section.get_doubles("lr", {}), tpq::UserError);
}

// Loading `text` must throw a UserError whose message contains `must_name`.
void expect_yaml_user_error(const std::string& text, const std::string& must_name) {
  try {
    tpq::ConfigTree::from_yaml_string(text, "fuzz.yaml");
    ADD_FAILURE() << "expected a UserError for " << text;
  } catch (const tpq::UserError& error) {
    EXPECT_NE(std::string(error.what()).find(must_name), std::string::npos) << error.what();
  }
}

// config_yaml_fuzz: a flow sequence used as a map key made yaml-cpp's as<std::string>() throw
// YAML::TypedBadConversion out of ConfigTree (the fuzzer's input, shortened).
TEST(FuzzRegressions, NonScalarYamlKeyIsAUserErrorNamingTheLine) {
  for (const std::string text : {"base: {x: ,[ :y 1., 2]}\n", "training:\n  [a, b]: 1\n", "? {a: 1}\n: 2\n"}) {
    expect_yaml_user_error(text, "fuzz.yaml:");
  }
}

// config_yaml_fuzz (clean-clone CI run): an alias inside its own anchor ("base: &b\n  <<: *b") makes
// the YAML tree a cycle; converting it recursed until the stack overflowed.
TEST(FuzzRegressions, SelfReferentialYamlAliasIsAUserErrorNotAStackOverflow) {
  for (const std::string text : {"base: &b\n  <<: *b\n  epochs: ~\n", "a: &x [1, *x]\n"}) {
    expect_yaml_user_error(text, "self-reference");
  }
}

// The acyclic cousin: each alias repeating the previous one ten times ("billion laughs") expands
// to 10^8 values from a few hundred bytes of YAML; the walk must stop, not exhaust memory.
TEST(FuzzRegressions, ExponentiallyExpandingYamlAliasesAreAUserError) {
  std::string text = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level <= 8; ++level) {
    const std::string previous = "*l" + std::to_string(level - 1);
    text += "l" + std::to_string(level) + ": &l" + std::to_string(level) + " [";
    for (int copy = 0; copy < 10; ++copy) text += (copy ? ", " : "") + previous;
    text += "]\n";
  }
  expect_yaml_user_error(text, "expands to more than");
}

// A config legitimately using anchors and aliases still loads.
TEST(FuzzRegressions, PlainYamlAliasStillLoads) {
  const auto tree = tpq::ConfigTree::from_yaml_string("a: &x [1, 2]\nb: *x\n", "ok.yaml");
  EXPECT_EQ(tree.json().at("b").size(), 2u);
}

void expect_tokenizer_json_user_error(const std::string& json_text, const std::string& must_name) {
  tpq::testing::ScratchDir dir;
  tpq::testing::write_text_file(dir / "tokenizer.json", json_text);
  try {
    tpq::tokenize::WordPieceTokenizer::from_tokenizer_json(dir.path());
    ADD_FAILURE() << "expected a UserError for " << json_text;
  } catch (const tpq::UserError& error) {
    EXPECT_NE(std::string(error.what()).find(must_name), std::string::npos) << error.what();
  }
}

const std::string kVocab = R"("vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3})";

// tokenizer_files_fuzz: a negative added_tokens id passed the "id < size" check and indexed the
// id table out of bounds (ASan heap-buffer-overflow).
TEST(FuzzRegressions, NegativeAddedTokenIdIsAUserError) {
  expect_tokenizer_json_user_error(R"({"model": {"type": "WordPiece", )" + kVocab +
                                       R"(}, "added_tokens": [{"id": -5, "content": "[NEW]"}]})",
                                   "id -5");
}

// tokenizer_files_fuzz: a non-string "type" (or a normalizer that is not an object) made
// json::value() throw type_error instead of naming the problem.
TEST(FuzzRegressions, NonStringTypesInTokenizerJsonAreUserErrors) {
  expect_tokenizer_json_user_error(R"({"normalizer": {"type": 5}, "model": {)" + kVocab + "}}", "normalizer type '5'");
  expect_tokenizer_json_user_error(R"({"normalizer": 5, "model": {)" + kVocab + "}}", "normalizer type");
  expect_tokenizer_json_user_error(R"({"model": {"type": ["WordPiece"], )" + kVocab + "}}", "model.type");
}

// bert_config_fuzz: "vocab_size": 1e300 was cast to int64 before any range check (UBSan
// float-cast-overflow).
TEST(FuzzRegressions, HugeFloatForAnIntegerKeyIsAUserError) {
  const auto config = nlohmann::json::parse(
      R"({"vocab_size": 1e300, "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2,
          "intermediate_size": 16, "max_position_embeddings": 8})");
  EXPECT_THROW(tpq::model::EncoderConfig::from_json(config, "config.json"), tpq::UserError);
  auto exact = config;
  exact["vocab_size"] = 12.0;  // HF sometimes writes integral floats; still accepted
  EXPECT_EQ(tpq::model::EncoderConfig::from_json(exact, "config.json").vocab_size, 12);
}

// safetensors_header_fuzz (CI smoke, 2026-12-01): a number literal beyond double range made
// nlohmann throw out_of_range 406, which escaped as std::terminate instead of a UserError; the
// JSONL and SpamAssassin readers caught only parse_error the same way.
TEST(FuzzRegressions, OutOfRangeNumberInJsonIsAUserError) {
  const std::string header = R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 3333333333333333333333333E333]}})";
  std::string file(8, '\0');
  const uint64_t size = header.size();
  for (int i = 0; i < 8; ++i) file[i] = static_cast<char>((size >> (8 * i)) & 0xff);
  file += header;
  EXPECT_THROW(tpq::io::parse_safetensors_header(reinterpret_cast<const uint8_t*>(file.data()), file.size(), "m.safetensors"),
               tpq::UserError);
}

}  // namespace
