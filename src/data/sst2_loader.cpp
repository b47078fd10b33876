// Loader for the GLUE SST-2 directory (train.tsv, dev.tsv with header "sentence<TAB>label").
// GLUE's test.tsv has no labels, so dev serves as test and validation is carved from train.
#include "loader_common.h"
#include "loaders.h"
#include "tpq/core/error.h"

namespace tpq::data::detail {

LoadedSource load_sst2(const std::filesystem::path& path) {
  const std::string how_to_get =
      "download GLUE SST-2 (SST-2.zip) and set the dataset path to the folder with train.tsv and dev.tsv";
  require_exists(path, "SST-2 directory", how_to_get);
  require_exists(path / "train.tsv", "SST-2 train.tsv", how_to_get);
  require_exists(path / "dev.tsv", "SST-2 dev.tsv", how_to_get);
  auto source = load_table_files({{"train", path / "train.tsv"}, {"test", path / "dev.tsv"}}, "tsv",
                                 {"sentence", "", "label"}, {"negative", "positive"}, 0);
  source.notes.push_back("SST-2: GLUE test labels are hidden, so test = GLUE dev (872 sentences) and "
                         "validation is carved from GLUE train (seeded, stratified)");
  return source;
}

}  // namespace tpq::data::detail
