// The demo's organisations: per county its grid-governance service centre and the departments of
// data/departments.csv, named for the county; an office for every town and street; a committee for every
// community and village. Internal to src/demo.
#pragma once

#include <vector>

#include "common/result.h"
#include "reference/types.h"

namespace civicgrid::demo {

// `regions` are BuildRegions' (geography.h). Town, street, community and village organisations take their
// region's code, so each place's own organisation is found by its code.
Result<std::vector<reference::Org>> BuildOrgs(const std::vector<reference::Region>& regions);

}  // namespace civicgrid::demo
