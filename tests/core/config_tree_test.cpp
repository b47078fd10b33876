// Layered YAML configuration: precedence, origins, typo hints, type errors.
#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "tpq/core/config_tree.h"
#include "tpq/core/error.h"

namespace {

std::string message_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const tpq::UserError& error) {
    return error.what();
  }
  return "";
}

TEST(ConfigTree, LaterLayersWinAndOriginsAreKept) {
  auto tree = tpq::ConfigTree::from_yaml_string("training:\n  epochs: 3\n  batch_size: 32\n", "profile.yaml");
  tree.merge(tpq::ConfigTree::from_yaml_string("training:\n  epochs: 5\n", "mine.yaml"));
  tree.set("training.batch_size", 8, "--batch_size");
  tpq::ConfigSection section(tree, "training");
  EXPECT_EQ(section.get_int("epochs", 0), 5);
  EXPECT_EQ(section.get_int("batch_size", 0), 8);
  EXPECT_EQ(tree.origin("training.epochs"), "mine.yaml:2");
  EXPECT_EQ(tree.origin("training.batch_size"), "--batch_size");
}

TEST(ConfigTree, UnknownKeySuggestsTheClosest) {
  const auto tree = tpq::ConfigTree::from_yaml_string("training:\n  epochs: 3\n  learnin_rate: 0.1\n", "p.yaml");
  tpq::ConfigSection section(tree, "training");
  section.get_int("epochs", 0);
  section.get_double("learning_rate", 0);
  const auto message = message_of([&] { section.finish(); });
  EXPECT_NE(message.find("p.yaml:3"), std::string::npos) << message;
  EXPECT_NE(message.find("did you mean 'training.learning_rate'"), std::string::npos) << message;
}

TEST(ConfigTree, WrongTypeNamesFileLineAndKey) {
  const auto tree = tpq::ConfigTree::from_yaml_string("training:\n  epochs: three\n", "p.yaml");
  tpq::ConfigSection section(tree, "training");
  const auto message = message_of([&] { section.get_int("epochs", 0); });
  EXPECT_NE(message.find("p.yaml:2: 'training.epochs' must be an integer"), std::string::npos) << message;
}

TEST(ConfigTree, MalformedYamlGivesLineAndColumn) {
  const auto message = message_of([] { tpq::ConfigTree::from_yaml_string("training:\n  epochs: [1, 2\n", "bad.yaml"); });
  EXPECT_NE(message.find("bad.yaml:"), std::string::npos) << message;
  EXPECT_NE(message.find("YAML syntax error"), std::string::npos) << message;
  EXPECT_NE(message_of([] { tpq::ConfigTree::from_yaml_string("- a\n- b\n", "list.yaml"); }).find("list.yaml"),
            std::string::npos);
}

TEST(ConfigTree, ScalarsAreTypedLikeYaml) {
  const auto tree = tpq::ConfigTree::from_yaml_string(
      "s:\n  i: 3\n  f: 2.0e-5\n  b: true\n  t: hello\n  q: \"42\"\n  l: [0.5, 0.25, 0.25]\n", "p.yaml");
  tpq::ConfigSection section(tree, "s");
  EXPECT_EQ(section.get_int("i", 0), 3);
  EXPECT_DOUBLE_EQ(section.get_double("f", 0), 2e-5);
  EXPECT_TRUE(section.get_bool("b", false));
  EXPECT_EQ(section.get_string("t", ""), "hello");
  EXPECT_EQ(section.get_string("q", ""), "42");
  EXPECT_EQ(section.get_doubles("l", {}), (std::vector<double>{0.5, 0.25, 0.25}));
  EXPECT_NO_THROW(section.finish());
}

TEST(ConfigTree, MissingFileIsNamed) {
  EXPECT_NE(message_of([] { tpq::ConfigTree::from_yaml_file("/nonexistent/x.yaml"); }).find("/nonexistent/x.yaml"),
            std::string::npos);
}

TEST(ConfigTree, ClosestMatchOnlySuggestsNearWords) {
  EXPECT_EQ(tpq::closest_match("epoch", {"epochs", "batch_size"}), "epochs");
  EXPECT_EQ(tpq::closest_match("zzzzzzzzz", {"epochs", "batch_size"}), "");
}

}  // namespace
