// The reference data shipped in data/, compiled into the binary so that one file is the whole product.
#pragma once

#include <string_view>

namespace civicgrid::shipped {

extern const std::string_view kCategoriesCsv;
extern const std::string_view kHolidaysCsv;
extern const std::string_view kDepartmentsCsv;
extern const std::string_view kRoutingDefaultsCsv;  // category,department: per-county rule templates
extern const std::string_view kDemoPlacesCsv;
extern const std::string_view kTownsCsv;

}  // namespace civicgrid::shipped
