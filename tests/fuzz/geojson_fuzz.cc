// libFuzzer target: the GeoJSON importer (reference::ParseRegionCollection, reference::ParseGeometry).
// Checks beyond no crash / no sanitizer report / no exception:
//  - a geometry that parses round-trips: ParseGeometry(GeometryToJson(g)) gives the same polygons,
//    coordinate for coordinate (the writer prints doubles exactly; one polygon is written as a Polygon);
//  - an accepted FeatureCollection round-trips through the exporter: ParseRegionCollection(
//    RegionsToFeatureCollection(regions)) gives the same regions, and each stored geometry parses.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include "reference/geojson.h"

using namespace civicgrid;

namespace {
void Check(bool ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "geojson_fuzz: invariant broken: %s\n", what);
    abort();
  }
}

bool SameRing(const geo::Ring& a, const geo::Ring& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].lon != b[i].lon || a[i].lat != b[i].lat) return false;
  return true;
}

bool SameShape(const geo::MultiPolygon& a, const geo::MultiPolygon& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!SameRing(a[i].outer, b[i].outer) || a[i].holes.size() != b[i].holes.size()) return false;
    for (size_t h = 0; h < a[i].holes.size(); ++h)
      if (!SameRing(a[i].holes[h], b[i].holes[h])) return false;
  }
  return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);

  auto shape = reference::ParseGeometry(text);
  if (shape.ok()) {
    Check(!shape->empty(), "an accepted geometry has a polygon");
    const std::string written = reference::GeometryToJson(*shape);
    auto again = reference::ParseGeometry(written);
    Check(again.ok(), "a written geometry parses");
    Check(SameShape(*shape, *again), "a geometry round-trips");
    Check(reference::GeometryToJson(*again) == written, "the writer is canonical");
  } else {
    Check(!shape.error().field.empty(), "a refused geometry names the field");
  }

  // Parents may be in the file or among these (as if already in the store).
  const std::set<std::string> known = {"320902", "320903"};
  auto regions = reference::ParseRegionCollection(text, known);
  if (!regions.ok()) {
    Check(!regions.error().field.empty(), "a refused collection names the field");
    return 0;
  }
  for (const auto& r : *regions) {
    Check(!r.code.empty() && !r.name.empty(), "an accepted region has a code and a name");
    if (!r.geometry.empty()) Check(reference::ParseGeometry(r.geometry).ok(), "a stored geometry parses");
  }
  auto again = reference::ParseRegionCollection(reference::RegionsToFeatureCollection(*regions), known);
  Check(again.ok(), "an exported collection imports");
  Check(*again == *regions, "a collection round-trips through export");
  return 0;
}
