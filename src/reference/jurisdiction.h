// Jurisdiction (管辖): which organisations may take a matter of a place. An organisation serves its region's
// subtree; for the place's county it may also be named from anywhere in that county (a county bureau for a
// town's case, another town's office), or from above it (an organisation of a region the county lies in).
#pragma once

#include <string>

#include "reference/directory.h"
#include "reference/types.h"

namespace civicgrid::reference {

// The path of the county a place lies in: down to the first region on it that is a county (the root when
// none is). Empty for an empty path.
std::string CountyPathOf(const std::string& place_path, const Directory& directory);

// Whether `org` may be named for a matter at `place_path`: its region is the place, above it, or within the
// place's county. An organisation without a region serves everywhere.
bool ServesCountyOf(const Org& org, const std::string& place_path, const Directory& directory);

}  // namespace civicgrid::reference
