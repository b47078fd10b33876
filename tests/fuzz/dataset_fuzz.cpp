// Fuzzes the dataset readers through load_dataset(): IMDB reviews.json, SST-2 TSV, AG News CSV and
// the generic csv / tsv / jsonl table loader (with and without label names). The first byte picks
// the format; the input becomes the file(s). Bad data must be a UserError; loaded splits must be
// non-empty with labels in range.
#include <cstdint>
#include <cstdlib>
#include <filesystem>

#include "fuzz_support.h"
#include "tpq/core/error.h"
#include "tpq/data/dataset_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto dir = tpq::fuzz::scratch_dir() / "data";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);

  tpq::data::DatasetSpec spec;
  spec.name = "fuzz";
  spec.split_fractions = {0.34, 0.33, 0.33};
  spec.holdout_fraction = 0.5;
  switch (data[0] % 6) {
    case 0:
      spec.format = "imdb";
      spec.path = dir / "reviews.json";
      tpq::fuzz::write_file(spec.path, text);
      break;
    case 1:  // SST-2: the same bytes as train and dev
      spec.format = "sst2";
      spec.path = dir;
      tpq::fuzz::write_file(dir / "train.tsv", text);
      tpq::fuzz::write_file(dir / "dev.tsv", text);
      break;
    case 2:
      spec.format = "ag_news";
      spec.path = dir;
      spec.pair_title_and_description = data[0] & 8;
      tpq::fuzz::write_file(dir / "train.csv", text);
      tpq::fuzz::write_file(dir / "test.csv", text);
      break;
    default: {
      static const char* const kFormats[] = {"csv", "tsv", "jsonl"};
      spec.format = kFormats[data[0] % 6 - 3];
      spec.path = dir / ("table." + spec.format);
      spec.text_pair_column = data[0] & 32 ? "pair" : "";
      if (data[0] & 64) {
        spec.label_names = {"neg", "pos"};
      } else {
        spec.num_labels = data[0] & 128 ? 3 : 0;
      }
      tpq::fuzz::write_file(spec.path, text);
    }
  }
  try {
    const auto splits = tpq::data::load_dataset(spec);
    for (const auto* split : {&splits.train, &splits.validation, &splits.test}) {
      if (split->examples.empty()) std::abort();
      for (const auto& example : split->examples) {
        if (example.label < 0 || example.label >= split->num_labels()) std::abort();
      }
    }
  } catch (const tpq::UserError&) {
  }
  return 0;
}
