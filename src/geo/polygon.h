// Planar polygons in longitude/latitude degrees, as imported from GeoJSON grid boundaries.
//
// Grids are small (a few km across) and far from the poles and the antimeridian, so all tests here
// treat degrees as planar coordinates; only AreaSquareMeters projects to metres.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "geo/crs.h"

namespace civicgrid::geo {

// GeoJSON order: the first position is repeated as the last one. Either winding is accepted.
using Ring = std::vector<LonLat>;

struct Polygon {
  Ring outer;
  std::vector<Ring> holes;
};

using MultiPolygon = std::vector<Polygon>;

// Closed on all sides, so a point on the edge of a shape is inside its bounds.
struct Box {
  double min_lon = 0;
  double min_lat = 0;
  double max_lon = 0;
  double max_lat = 0;

  bool Contains(LonLat p) const;
};

// Bounds of the outer rings (holes lie inside them). An empty shape gives an inverted box (min > max)
// that contains nothing.
Box Bounds(const MultiPolygon& shape);

enum class Where { kOutside, kInside, kBoundary };

// Exact point-in-polygon: a point within 1e-12 degrees of an edge (of the outer ring or of a hole) is
// kBoundary; otherwise the crossing number decides, and a point inside a hole is kOutside. Rings need not
// be closed (the closing edge is implied).
Where Locate(const Polygon& polygon, LonLat p);

// True when p is inside or on the boundary of any member polygon.
bool Covers(const MultiPolygon& shape, LonLat p);

// Validates a ring for import: at least 4 positions, closed, finite coordinates with lon in [-180, 180]
// and lat in [-90, 90], no self-intersection (touching counts, so does doubling back along an edge) and
// non-zero area. Repeated consecutive positions are tolerated. Returns a short English message naming
// the first problem found, or nullopt when the ring is valid. Positions and segments are numbered from 0;
// segment i joins position i to position i + 1.
// Found by a sweep (Shamos–Hoey): O(n log n) in the worst case, whatever the shape. When the ring runs into
// itself, the pair named is where it first does: the first segment in ring order that touches an earlier
// one, with the earliest segment it touches.
std::optional<std::string> CheckRing(const Ring& ring);

// For a polygon whose rings each passed CheckRing: every hole lies inside the outer ring, and no hole
// touches or crosses the outer ring or another hole (holes are numbered from 1, as in GeoJSON's rings).
// O(n log n) for the shared-point test, plus one point-in-ring test per hole.
std::optional<std::string> CheckHoles(const Polygon& polygon);

// Import limits (docs/operator-guide.md): positions in one ring, holes in one polygon, and positions in one
// import altogether. They bound the work and memory an import can ask for.
inline constexpr std::size_t kMaxRingPositions = 100'000;
inline constexpr std::size_t kMaxHolesPerPolygon = 1'000;
inline constexpr std::size_t kMaxImportPositions = 1'000'000;

// Approximate area: each polygon is projected equirectangularly about its own centroid, outer ring minus
// holes. Within 0.1% of the spherical area for grid-sized polygons.
double AreaSquareMeters(const MultiPolygon& shape);

}  // namespace civicgrid::geo
