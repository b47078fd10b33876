// A small table of strings that becomes a CSV file (RFC 4180 quoting, UTF-8) or a Markdown
// table — the experiment tables mirror the lab-report template's columns.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace tpq::results {

class Table {
 public:
  explicit Table(std::vector<std::string> columns);

  // UserError-free: a row with the wrong number of cells is a programming error (throws logic_error).
  void add_row(std::vector<std::string> cells);

  const std::vector<std::string>& columns() const { return columns_; }
  const std::vector<std::vector<std::string>>& rows() const { return rows_; }

  std::string to_csv() const;
  std::string to_markdown() const;
  void write_csv(const std::filesystem::path& path) const;  // atomic

 private:
  std::vector<std::string> columns_;
  std::vector<std::vector<std::string>> rows_;
};

// Fixed-point text for table cells: format_number(0.87654, 4) == "0.8765".
std::string format_number(double value, int decimals);

}  // namespace tpq::results
