// RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF. For the shipped data and CSV imports.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace civicgrid::csv {

using Row = std::map<std::string, std::string>;  // column name → value

// Rows keyed by the header's names. Errors name the line. `required` columns must be in the header.
Result<std::vector<Row>> Parse(std::string_view text, const std::vector<std::string>& required);

}  // namespace civicgrid::csv
