// Fuzzes the YAML config layer: ConfigTree::from_yaml_string on arbitrary text, then typed reads of
// a section (as the experiments do), merging, dotted-key overrides and typed_scalar on the raw text.
#include <cstdint>
#include <string>

#include "tpq/core/config_tree.h"
#include "tpq/core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  tpq::typed_scalar(text);
  tpq::closest_match(text.substr(0, 64), {"epochs", "batch_size", "learning_rate"});
  try {
    auto tree = tpq::ConfigTree::from_yaml_string(text, "fuzz.yaml");
    auto base = tpq::ConfigTree::from_yaml_string("training:\n  epochs: 3\n  lr: [1, 2]\n", "base.yaml");
    base.merge(tree);
    base.set("training.epochs", tpq::typed_scalar(text.substr(0, 16)), "--epochs");
    base.origin("training.epochs");
    tpq::ConfigSection section(base, "training");
    section.get_int("epochs", 1);
    section.get_double("learning_rate", 1e-3);
    section.get_bool("fp16", false);
    section.get_string("optimizer", "adamw");
    section.get_doubles("lr", {});
    section.get_ints("sizes", {});
    section.get_strings("names", {});
    section.finish();
  } catch (const tpq::UserError&) {
  }
  return 0;
}
