// Internal: a small CSV/TSV record reader shared by the ag_news, sst2 and generic table loaders.
// CSV follows RFC 4180 (quoted fields, "" escapes, newlines inside quotes); TSV has no quoting.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace tpq::data::detail {

struct DelimitedRecord {
  std::vector<std::string> fields;
  std::size_t line = 0;  // 1-based line where the record starts
};

class DelimitedReader {
 public:
  // Reads the whole file; UserError if it cannot be read or is empty.
  DelimitedReader(std::filesystem::path path, char delimiter, bool quoting);

  // Next non-blank record; false at end of file. UserError (file:line) on a malformed quote.
  bool next(DelimitedRecord& record);

  const std::filesystem::path& path() const { return path_; }

 private:
  bool read_quoted_field(std::string& field, std::size_t start_line);

  std::filesystem::path path_;
  std::string content_;
  std::size_t position_ = 0;
  std::size_t line_ = 1;
  char delimiter_;
  bool quoting_;
};

}  // namespace tpq::data::detail
