// Loader for Stanford's aclImdb directory: DIR/{train,test}/{pos,neg}/*.txt (unsup/ is ignored).
// Files are read in sorted name order so that the result does not depend on the filesystem.
#include "loader_common.h"
#include "loaders.h"
#include "tpq/core/error.h"

namespace tpq::data::detail {
namespace {

std::vector<Example> read_split(const std::filesystem::path& split_dir) {
  std::vector<Example> examples;
  const std::pair<const char*, int64_t> classes[] = {{"neg", 0}, {"pos", 1}};
  for (const auto& [folder, label] : classes) {
    const auto dir = split_dir / folder;
    require(std::filesystem::is_directory(dir),
            dir.string() + ": directory missing; aclImdb needs " + split_dir.string() +
                "/{pos,neg}/*.txt (unpack aclImdb_v1.tar.gz and point path at aclImdb/)");
    const auto files = sorted_files(dir, ".txt");
    require(!files.empty(), dir.string() + ": no .txt reviews found; re-unpack aclImdb_v1.tar.gz");
    for (const auto& file : files) examples.push_back(Example{read_text_file(file), std::nullopt, label});
  }
  return examples;
}

}  // namespace

LoadedSource load_aclimdb(const std::filesystem::path& path) {
  require_exists(path, "aclImdb directory",
                 "download https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz, unpack it "
                 "and set the dataset path to the aclImdb/ folder");
  // Accept the folder that contains aclImdb/ as well.
  const auto root = std::filesystem::is_directory(path / "train") ? path : path / "aclImdb";
  require(std::filesystem::is_directory(root / "train") && std::filesystem::is_directory(root / "test"),
          path.string() + ": not an aclImdb directory (needs train/ and test/ with pos/ and neg/ inside)");
  LoadedSource source;
  source.label_names = {"negative", "positive"};
  source.train = read_split(root / "train");
  source.test = read_split(root / "test");
  source.notes.push_back("aclImdb: test = the official test set; validation carved from train "
                         "(seeded, stratified); '<br />' tags kept verbatim");
  return source;
}

}  // namespace tpq::data::detail
