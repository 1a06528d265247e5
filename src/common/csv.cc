#include "common/csv.h"

namespace civicgrid::csv {

const std::string& Row::Get(const std::string& column) const {
  static const std::string kNone;
  const auto it = fields.find(column);
  return it == fields.end() ? kNone : it->second;
}

Result<std::vector<Row>> Parse(std::string_view text, const std::vector<std::string>& required) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a BOM, as Excel writes
  struct Record {
    std::vector<std::string> fields;
    int line = 0;
  };
  std::vector<Record> records;
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false, field_started = false;
  int line = 1, record_line = 1;  // the current line; the line the current record started on
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    if (c == '"' && !field_started) {
      quoted = field_started = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      field_started = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      fields.push_back(std::move(field));
      field.clear();
      field_started = false;
      if (!(fields.size() == 1 && fields[0].empty())) records.push_back({std::move(fields), record_line});
      fields.clear();
      record_line = ++line;
    } else {
      field.push_back(c);
      field_started = true;
    }
  }
  if (quoted) return Invalid("csv", "line " + std::to_string(record_line) + ": unterminated quoted field");
  if (field_started || !fields.empty()) {
    fields.push_back(std::move(field));
    records.push_back({std::move(fields), record_line});
  }
  if (records.empty()) return Invalid("csv", "the file is empty; a header line is needed");
  const auto& header = records[0].fields;
  for (const auto& col : required) {
    bool found = false;
    for (const auto& h : header) found |= h == col;
    if (!found) return Invalid("csv", "the header has no column '" + col + "'");
  }
  std::vector<Row> rows;
  rows.reserve(records.size() - 1);
  for (size_t r = 1; r < records.size(); ++r) {
    const Record& record = records[r];
    if (record.fields.size() != header.size())
      return Invalid("csv", "line " + std::to_string(record.line) + " has " + std::to_string(record.fields.size()) +
                                " fields; the header has " + std::to_string(header.size()));
    Row row;
    row.line = record.line;
    for (size_t c = 0; c < header.size(); ++c) row.fields[header[c]] = record.fields[c];
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace civicgrid::csv
