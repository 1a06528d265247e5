// RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF. The one CSV reader of civicgrid: the shipped data
// (data/*.csv, the stored holiday calendar) and CSV imports all go through it.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace civicgrid::csv {

// One record, its fields by the header's column names.
struct Row {
  std::map<std::string, std::string> fields;  // column name → value
  int line = 0;  // the line the record starts on (the header's is 1; blank lines and quoted line breaks count)

  // The value of `column`. Like std::map's, operator[] adds an empty value for a column the header lacks;
  // Get only reads (empty for such a column).
  std::string& operator[](const std::string& column) { return fields[column]; }
  const std::string& Get(const std::string& column) const;
};

// Rows keyed by the header's names. Errors name the line. `required` columns must be in the header; every
// record must have as many fields as the header. Blank lines are skipped.
Result<std::vector<Row>> Parse(std::string_view text, const std::vector<std::string>& required);

}  // namespace civicgrid::csv
