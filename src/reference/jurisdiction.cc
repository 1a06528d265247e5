#include "reference/jurisdiction.h"

namespace civicgrid::reference {

std::string CountyPathOf(const std::string& place_path, const Directory& directory) {
  std::string county, prefix = "/";
  for (const auto& code : PathCodes(place_path)) {
    prefix += code + "/";
    if (county.empty()) county = prefix;
    if (const auto* r = directory.FindRegion(code); r && r->kind == RegionKind::kCounty) return prefix;
  }
  return county;
}

bool ServesCountyOf(const Org& org, const std::string& place_path, const Directory& directory) {
  if (org.region.empty()) return true;
  const std::string served = directory.PathOf(org.region);
  if (served.empty() || place_path.starts_with(served)) return true;  // the place or a region above it
  const std::string county = CountyPathOf(place_path, directory);
  return !county.empty() && served.starts_with(county);
}

}  // namespace civicgrid::reference
