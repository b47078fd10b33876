// Reads a results CSV (header line, then rows; no quoted fields) into rows keyed by column name.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace tpq::testing {

using CsvRow = std::map<std::string, std::string>;

// Every row of `path` by header name; a row whose cell count differs from the header's, or a
// quoted cell, throws std::runtime_error (these tests read only tpq's plain numeric tables).
std::vector<CsvRow> read_csv_rows(const std::filesystem::path& path);

}  // namespace tpq::testing
