#include "tpq/results/table.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "tpq/io/atomic_file.h"

namespace tpq::results {
namespace {

std::string csv_cell(const std::string& cell) {
  if (cell.find_first_of(",\"\n\r") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (char c : cell) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string markdown_cell(const std::string& cell) {
  std::string escaped;
  for (char c : cell) escaped += c == '|' ? std::string("\\|") : c == '\n' ? std::string(" ") : std::string(1, c);
  return escaped;
}

}  // namespace

Table::Table(std::vector<std::string> columns) : columns_(std::move(columns)) {}

void Table::add_row(std::vector<std::string> cells) {
  if (cells.size() != columns_.size()) throw std::logic_error("table row has the wrong number of cells");
  rows_.push_back(std::move(cells));
}

std::string Table::to_csv() const {
  std::string text;
  auto append_line = [&](const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) text += (i ? "," : "") + csv_cell(cells[i]);
    text += "\n";
  };
  append_line(columns_);
  for (const auto& row : rows_) append_line(row);
  return text;
}

std::string Table::to_markdown() const {
  std::string text = "|";
  for (const auto& column : columns_) text += " " + markdown_cell(column) + " |";
  text += "\n|";
  for (std::size_t i = 0; i < columns_.size(); ++i) text += "------|";
  text += "\n";
  for (const auto& row : rows_) {
    text += "|";
    for (const auto& cell : row) text += " " + markdown_cell(cell) + " |";
    text += "\n";
  }
  return text;
}

void Table::write_csv(const std::filesystem::path& path) const { io::write_file_atomic(path, to_csv()); }

std::string format_number(double value, int decimals) {
  if (std::isnan(value)) return "n/a";
  char text[64];
  std::snprintf(text, sizeof(text), "%.*f", decimals, value);
  return text;
}

}  // namespace tpq::results
