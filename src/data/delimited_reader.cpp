// Internal CSV/TSV reader (see delimited_reader.h). Accepts CRLF line ends, a UTF-8 BOM and a last
// line without newline; skips blank lines; reports malformed quoting with the record's line.
#include "delimited_reader.h"

#include "loader_common.h"
#include "tpq/core/error.h"

namespace tpq::data::detail {

DelimitedReader::DelimitedReader(std::filesystem::path path, char delimiter, bool quoting)
    : path_(std::move(path)), content_(read_text_file(path_)), delimiter_(delimiter), quoting_(quoting) {
  if (content_.compare(0, 3, "\xEF\xBB\xBF") == 0) position_ = 3;
}

bool DelimitedReader::read_quoted_field(std::string& field, std::size_t start_line) {
  ++position_;  // opening quote
  for (;;) {
    if (position_ >= content_.size()) {
      throw UserError(path_.string() + ": line " + std::to_string(start_line) +
                      ": quoted field never closed (unbalanced '\"'); inside a quoted field write a "
                      "quote as \"\" (RFC 4180)");
    }
    const char c = content_[position_++];
    if (c == '"') {
      if (position_ < content_.size() && content_[position_] == '"') {
        field.push_back('"');
        ++position_;
        continue;
      }
      return true;
    }
    if (c == '\n') ++line_;
    field.push_back(c);
  }
}

bool DelimitedReader::next(DelimitedRecord& record) {
  // Skip blank lines between records.
  while (position_ < content_.size() && (content_[position_] == '\n' || content_[position_] == '\r')) {
    if (content_[position_] == '\n') ++line_;
    ++position_;
  }
  if (position_ >= content_.size()) return false;
  record.fields.clear();
  record.line = line_;
  std::string field;
  for (;;) {
    if (quoting_ && position_ < content_.size() && content_[position_] == '"') {
      read_quoted_field(field, record.line);
      // After the closing quote only a delimiter or the end of the record may follow.
      if (position_ < content_.size() && content_[position_] != delimiter_ && content_[position_] != '\n' &&
          content_[position_] != '\r') {
        throw UserError(path_.string() + ": line " + std::to_string(line_) + ": field " +
                        std::to_string(record.fields.size() + 1) +
                        ": text after a closing quote; quote the whole field and double inner quotes "
                        "(\"a \"\"b\"\" c\")");
      }
    } else {
      while (position_ < content_.size() && content_[position_] != delimiter_ &&
             content_[position_] != '\n') {
        field.push_back(content_[position_++]);
      }
      if (!field.empty() && field.back() == '\r' &&
          (position_ >= content_.size() || content_[position_] == '\n')) {
        field.pop_back();
      }
    }
    if (position_ < content_.size() && content_[position_] == '\r') ++position_;
    record.fields.push_back(std::move(field));
    field.clear();
    if (position_ >= content_.size()) return true;
    const char separator = content_[position_++];
    if (separator == '\n') {
      ++line_;
      return true;
    }
  }
}

}  // namespace tpq::data::detail
