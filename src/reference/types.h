// The reference data every module reads: regions, organisations, categories. Plain values, no I/O.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace civicgrid::reference {

// Region kinds from county down to building (GLOSSARY: region).
enum class RegionKind { kCounty, kTown, kStreet, kCommunity, kVillage, kGrid, kEstate, kBuilding };
std::optional<RegionKind> ParseRegionKind(std::string_view s);
// The region codes on a region path ("/county/town/grid/"), root first.
std::vector<std::string> PathCodes(std::string_view region_path);
std::string_view Name(RegionKind k);

struct Region {
  std::string code;
  std::string name;
  RegionKind kind = RegionKind::kGrid;
  std::string parent;    // empty for a root
  std::string geometry;  // GeoJSON geometry text (Polygon or MultiPolygon), empty when the region has none
  bool operator==(const Region&) const = default;
};

struct Org {
  std::string code;
  std::string name;
  std::string kind;    // department, town, street, community, village, enterprise, centre
  std::string region;  // the region it serves (its scope for dispatch)
  bool operator==(const Org&) const = default;
};

struct Category {
  std::string code;
  std::string parent;  // empty for a level-1 class
  std::string name_zh;
  std::string name_en;
  double accept_hours = 2;  // hours on the clock to accept a dispatched case
  double resolve_days = 5;  // working days to resolve
  bool operator==(const Category&) const = default;
};

}  // namespace civicgrid::reference
