// Generic csv / tsv / jsonl loader with configurable text, text-pair and label columns. Labels of
// all files are mapped together (label_mapper), so train and test agree on ids.
#include <nlohmann/json.hpp>

#include "delimited_reader.h"
#include "label_mapper.h"
#include "loader_common.h"
#include "loaders.h"
#include "tpq/core/error.h"

namespace tpq::data::detail {
namespace {

struct RawRows {
  std::vector<Example> examples;  // labels filled in after mapping
  std::vector<RawLabel> labels;
};

std::string at_line(const std::filesystem::path& file, std::size_t line) {
  return file.string() + ": line " + std::to_string(line);
}

std::size_t column_index(const std::vector<std::string>& header, const std::string& column,
                         const std::string& role, const std::filesystem::path& file) {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == column) return i;
  }
  throw UserError(at_line(file, 1) + ": " + role + " column '" + column + "' not found; columns are: " +
                  join(header) + " — set " + role + "_column to one of them");
}

void read_delimited(const std::filesystem::path& file, char delimiter, const TableColumns& columns, RawRows& rows) {
  DelimitedReader reader(file, delimiter, /*quoting=*/delimiter == ',');
  DelimitedRecord record;
  require(reader.next(record), file.string() + ": file has no rows; it needs a header line and data lines");
  const std::vector<std::string> header = record.fields;
  const std::size_t text_at = column_index(header, columns.text, "text", file);
  const std::size_t label_at = column_index(header, columns.label, "label", file);
  const std::size_t pair_at =
      columns.text_pair.empty() ? header.size() : column_index(header, columns.text_pair, "text_pair", file);
  while (reader.next(record)) {
    require(record.fields.size() == header.size(),
            at_line(file, record.line) + ": " + std::to_string(record.fields.size()) + " fields, the header has " +
                std::to_string(header.size()) +
                (delimiter == ',' ? "; quote fields that contain commas, quotes or newlines"
                                  : "; TSV fields may not contain tabs or newlines"));
    Example example{std::move(record.fields[text_at]), std::nullopt, 0};
    if (pair_at < header.size()) example.text_pair = std::move(record.fields[pair_at]);
    rows.examples.push_back(std::move(example));
    rows.labels.push_back({std::move(record.fields[label_at]), at_line(file, record.line)});
  }
}

std::string json_keys(const nlohmann::json& object) {
  std::vector<std::string> keys;
  for (const auto& item : object.items()) keys.push_back(item.key());
  return join(keys);
}

const nlohmann::json& json_field(const nlohmann::json& object, const std::string& key, const std::string& role,
                                 const std::string& where) {
  const auto found = object.find(key);
  require(found != object.end(), where + ": " + role + " key '" + key + "' not found; keys are: " +
                                     json_keys(object) + " — set " + role + "_column to one of them");
  return *found;
}

std::string json_label(const nlohmann::json& value, const std::string& where) {
  if (value.is_number_integer()) return value.dump();
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_float() && value.get<double>() == static_cast<double>(static_cast<int64_t>(value.get<double>()))) {
    return std::to_string(static_cast<int64_t>(value.get<double>()));
  }
  throw UserError(where + ": label " + value.dump() + " is neither an integer nor a string");
}

void read_jsonl(const std::filesystem::path& file, const TableColumns& columns, RawRows& rows) {
  const std::string content = read_text_file(file);
  std::size_t line_start = 0;
  for (std::size_t line = 1; line_start < content.size(); ++line) {
    std::size_t line_end = content.find('\n', line_start);
    if (line_end == std::string::npos) line_end = content.size();
    const std::string_view text(content.data() + line_start, line_end - line_start);
    line_start = line_end + 1;
    if (text.find_first_not_of(" \t\r") == std::string_view::npos) continue;  // blank line
    const std::string where = at_line(file, line);
    nlohmann::json object;
    try {
      object = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& error) {  // parse errors and out-of-range numbers
      throw UserError(where + ": malformed JSON (" + error.what() + "); each line must be one JSON object");
    }
    require(object.is_object(), where + ": expected a JSON object per line, got " + std::string(object.type_name()));
    const auto& text_value = json_field(object, columns.text, "text", where);
    require(text_value.is_string(), where + ": key '" + columns.text + "' must be a string");
    Example example{text_value.get<std::string>(), std::nullopt, 0};
    if (!columns.text_pair.empty()) {
      const auto& pair_value = json_field(object, columns.text_pair, "text_pair", where);
      require(pair_value.is_string() || pair_value.is_null(),
              where + ": key '" + columns.text_pair + "' must be a string or null");
      if (pair_value.is_string()) example.text_pair = pair_value.get<std::string>();
    }
    rows.labels.push_back({json_label(json_field(object, columns.label, "label", where), where), where});
    rows.examples.push_back(std::move(example));
  }
}

}  // namespace

LoadedSource load_table_files(const std::vector<TableFile>& files, const std::string& format,
                              const TableColumns& columns, const std::vector<std::string>& label_names,
                              int64_t num_labels) {
  RawRows rows;
  std::vector<std::pair<std::string, std::size_t>> split_ends;  // split name, end index in rows
  for (const auto& file : files) {
    const std::size_t before = rows.examples.size();
    if (format == "jsonl") {
      read_jsonl(file.path, columns, rows);
    } else {
      read_delimited(file.path, format == "tsv" ? '\t' : ',', columns, rows);
    }
    require(rows.examples.size() > before, file.path.string() + ": no data rows; the file holds only a header");
    split_ends.emplace_back(file.split, rows.examples.size());
  }
  const auto mapping = map_labels(rows.labels, label_names, num_labels, columns.label);
  for (std::size_t i = 0; i < rows.examples.size(); ++i) rows.examples[i].label = mapping.ids[i];

  LoadedSource source;
  source.label_names = mapping.label_names;
  if (!mapping.note.empty()) source.notes.push_back(mapping.note);
  std::size_t begin = 0;
  for (const auto& [split, end] : split_ends) {
    std::vector<Example> part(std::make_move_iterator(rows.examples.begin() + begin),
                              std::make_move_iterator(rows.examples.begin() + end));
    begin = end;
    if (split == "train") source.train = std::move(part);
    if (split == "validation") source.validation = std::move(part);
    if (split == "test") source.test = std::move(part);
  }
  return source;
}

LoadedSource load_table(const DatasetSpec& spec, const std::filesystem::path& path, const std::string& format) {
  require(!path.empty(), "dataset '" + spec.name + "' (format " + format +
                             "): no path given; set the dataset path to a ." + format +
                             " file or a folder with train/validation/test files");
  require_exists(path, "dataset '" + spec.name + "'", "check the dataset path");
  const TableColumns columns{spec.text_column, spec.text_pair_column, spec.label_column};
  std::vector<TableFile> files;
  if (!std::filesystem::is_directory(path)) {
    files.push_back({"train", path});
  } else {
    const auto find = [&](std::initializer_list<const char*> stems) -> std::filesystem::path {
      for (const char* stem : stems) {
        const auto candidate = path / (std::string(stem) + "." + format);
        if (std::filesystem::is_regular_file(candidate)) return candidate;
      }
      return {};
    };
    const auto train = find({"train"});
    require(!train.empty(), path.string() + ": no train." + format + " in this folder; a dataset folder needs "
                            "train." + format + " (and optionally validation|dev|val." + format + ", test." +
                            format + ")");
    files.push_back({"train", train});
    if (const auto validation = find({"validation", "dev", "val"}); !validation.empty()) {
      files.push_back({"validation", validation});
    }
    if (const auto test = find({"test"}); !test.empty()) files.push_back({"test", test});
  }
  auto source = load_table_files(files, format, columns, spec.label_names, spec.num_labels);
  if (files.size() == 1) source.notes.push_back(path.filename().string() + ": one file, split seeded and stratified");
  return source;
}

}  // namespace tpq::data::detail
