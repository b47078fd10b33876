// Loader for AG News (train.csv / test.csv; rows "class","title","description", class 1..4).
// The files are RFC 4180 CSV; newlines inside texts are written as a literal backslash-n.
#include "delimited_reader.h"
#include "loader_common.h"
#include "loaders.h"
#include "tpq/core/error.h"

namespace tpq::data::detail {
namespace {

std::string unescape_newlines(std::string text) {
  std::string::size_type at = 0;
  while ((at = text.find("\\n", at)) != std::string::npos) text.replace(at, 2, "\n");
  return text;
}

std::vector<Example> read_ag_news_file(const std::filesystem::path& file, bool as_pair) {
  DelimitedReader reader(file, ',', /*quoting=*/true);
  std::vector<Example> examples;
  DelimitedRecord record;
  while (reader.next(record)) {
    require(record.fields.size() == 3, file.string() + ": line " + std::to_string(record.line) + ": " +
                                           std::to_string(record.fields.size()) +
                                           " fields; AG News rows are \"class\",\"title\",\"description\" "
                                           "(quote fields that contain commas)");
    const auto label = parse_integer(record.fields[0]);
    if (!label && record.line == 1) continue;  // a header row such as "Class Index,Title,Description"
    require(label && *label >= 1 && *label <= 4,
            file.string() + ": line " + std::to_string(record.line) + ": column 1 (class): '" +
                record.fields[0] + "' is not a class 1..4 (World, Sports, Business, Sci/Tech)");
    std::string title = unescape_newlines(std::move(record.fields[1]));
    std::string description = unescape_newlines(std::move(record.fields[2]));
    Example example{std::move(title), std::nullopt, *label - 1};
    if (as_pair) {
      example.text_pair = std::move(description);
    } else {
      // "Title. Description", without doubling a title's own final punctuation.
      const char last = example.text.empty() ? '.' : example.text.back();
      example.text += (last == '.' || last == '!' || last == '?') ? " " : ". ";
      example.text += description;
    }
    examples.push_back(std::move(example));
  }
  require(!examples.empty(), file.string() + ": no rows; re-download AG News (ag_news_csv)");
  return examples;
}

}  // namespace

LoadedSource load_ag_news(const std::filesystem::path& path, bool title_and_description_as_pair) {
  const std::string how_to_get =
      "download ag_news_csv (train.csv, test.csv) and set the dataset path to that folder";
  require_exists(path, "AG News directory", how_to_get);
  require_exists(path / "train.csv", "AG News train.csv", how_to_get);
  require_exists(path / "test.csv", "AG News test.csv", how_to_get);
  LoadedSource source;
  source.label_names = {"World", "Sports", "Business", "Sci/Tech"};
  source.train = read_ag_news_file(path / "train.csv", title_and_description_as_pair);
  source.test = read_ag_news_file(path / "test.csv", title_and_description_as_pair);
  source.notes.push_back(std::string("AG News: classes 1..4 -> ids 0..3; literal \\n turned into newlines; ") +
                         (title_and_description_as_pair ? "title and description given as a text pair"
                                                        : "text = title + \". \" + description") +
                         "; validation carved from train (seeded, stratified)");
  return source;
}

}  // namespace tpq::data::detail
