#include "support/csv_rows.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace tpq::testing {
namespace {

std::vector<std::string> cells_of(const std::string& line, const std::filesystem::path& path) {
  if (line.find('"') != std::string::npos) throw std::runtime_error(path.string() + ": quoted cells are not supported: " + line);
  std::vector<std::string> cells;
  std::stringstream in(line);
  for (std::string cell; std::getline(in, cell, ',');) cells.push_back(cell);
  if (!line.empty() && line.back() == ',') cells.emplace_back();
  return cells;
}

}  // namespace

std::vector<CsvRow> read_csv_rows(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  std::string line;
  if (!std::getline(in, line)) throw std::runtime_error(path.string() + ": no header");
  const auto header = cells_of(line, path);
  std::vector<CsvRow> rows;
  while (std::getline(in, line)) {
    const auto cells = cells_of(line, path);
    if (cells.size() != header.size()) throw std::runtime_error(path.string() + ": row has " + std::to_string(cells.size()) +
                                                                " cells, header " + std::to_string(header.size()));
    CsvRow row;
    for (std::size_t i = 0; i < cells.size(); ++i) row[header[i]] = cells[i];
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace tpq::testing
