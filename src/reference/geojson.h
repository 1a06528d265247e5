// GeoJSON in and out for regions (DESIGN.md "Region import"): a FeatureCollection whose features carry
// properties code, name, kind and parent. Only this module's .cc files see the JSON library.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "common/result.h"
#include "geo/polygon.h"
#include "reference/types.h"

namespace civicgrid::reference {

// Parses and checks a FeatureCollection. `known` are region codes already in the store, which parents may
// name; parents may also come in the same file, in any order. Errors name the feature (index and code).
Result<std::vector<reference::Region>> ParseRegionCollection(const std::string& text,
                                                             const std::set<std::string>& known);

// A geometry (GeoJSON Polygon or MultiPolygon text) as polygons, checked as an import checks it: rings
// (geo::CheckRing), holes (geo::CheckHoles) and the limits of geo/polygon.h.
Result<geo::MultiPolygon> ParseGeometry(const std::string& geometry_json);
// A geometry the store holds: it was checked when imported, so only its structure is read (a reload does
// not repeat the ring checks, which cost seconds for large rings).
Result<geo::MultiPolygon> ParseStoredGeometry(const std::string& geometry_json);

// The inverse, for generated regions (demo) and for export.
std::string GeometryToJson(const geo::MultiPolygon& shape);
std::string RegionsToFeatureCollection(const std::vector<reference::Region>& regions);

}  // namespace civicgrid::reference
