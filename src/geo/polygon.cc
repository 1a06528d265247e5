#include "geo/polygon.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <optional>
#include <utility>

namespace civicgrid::geo {
namespace {

// Points this close (degrees, ~0.1 micrometre) to an edge count as on it. Rounding in the cross product
// is below 1e-13 for any coordinates within [-180, 180], so outside this band the side of an edge is
// decided exactly, which is what makes Locate consistent between neighbours.
constexpr double kEps = 1e-12;
constexpr double kEarthRadiusMeters = 6371008.8;

// Twice the signed area of triangle (a, b, p): positive when p is left of a->b.
double Cross(LonLat a, LonLat b, LonLat p) {
  return (b.lon - a.lon) * (p.lat - a.lat) - (b.lat - a.lat) * (p.lon - a.lon);
}

// p lies within kEps of the line through a and b (compared squared to avoid a sqrt).
bool NearLine(LonLat a, LonLat b, double cross) {
  const double dx = b.lon - a.lon;
  const double dy = b.lat - a.lat;
  return cross * cross <= kEps * kEps * (dx * dx + dy * dy);
}

bool InSegmentBox(LonLat a, LonLat b, LonLat p) {
  return p.lon >= std::min(a.lon, b.lon) - kEps && p.lon <= std::max(a.lon, b.lon) + kEps &&
         p.lat >= std::min(a.lat, b.lat) - kEps && p.lat <= std::max(a.lat, b.lat) + kEps;
}

bool OnSegment(LonLat a, LonLat b, LonLat p) { return InSegmentBox(a, b, p) && NearLine(a, b, Cross(a, b, p)); }

// -1, 0 or 1: the side of line a->b that p is on, 0 within kEps of the line.
int Side(LonLat a, LonLat b, LonLat p) {
  const double cross = Cross(a, b, p);
  if (NearLine(a, b, cross)) return 0;
  return cross > 0 ? 1 : -1;
}

// Crossing number with a ray towards +lon, plus the boundary test folded into the same pass. The
// half-open rule on latitude ((a.lat > y) != (b.lat > y)) counts a vertex on the ray exactly once.
Where LocateInRing(const Ring& ring, LonLat p) {
  const std::size_t n = ring.size();
  bool inside = false;
  for (std::size_t i = 0; i < n; ++i) {
    const LonLat a = ring[i];
    const LonLat b = ring[i + 1 == n ? 0 : i + 1];
    const bool straddles = (a.lat > p.lat) != (b.lat > p.lat);
    if (!straddles && (p.lat < std::min(a.lat, b.lat) - kEps || p.lat > std::max(a.lat, b.lat) + kEps)) {
      continue;
    }
    // Cheap cases first: an edge wholly east or west of p needs no cross product.
    if (p.lon > std::max(a.lon, b.lon) + kEps) continue;
    if (p.lon < std::min(a.lon, b.lon) - kEps) {
      if (straddles) inside = !inside;
      continue;
    }
    const double cross = Cross(a, b, p);
    if (NearLine(a, b, cross)) return Where::kBoundary;
    // The ray crosses an upward edge when p is to its left, a downward one when p is to its right.
    if (straddles && (cross > 0) == (b.lat > a.lat)) inside = !inside;
  }
  return inside ? Where::kInside : Where::kOutside;
}

// Twice the signed area, relative to the first position to keep the products small.
double SignedArea2(const Ring& ring) {
  if (ring.size() < 3) return 0;
  const LonLat o = ring.front();
  double sum = 0;
  for (std::size_t i = 0; i < ring.size(); ++i) {
    const LonLat a = ring[i];
    const LonLat b = ring[i + 1 == ring.size() ? 0 : i + 1];
    sum += (a.lon - o.lon) * (b.lat - o.lat) - (b.lon - o.lon) * (a.lat - o.lat);
  }
  return sum;
}

// Absolute area (square degrees) and centroid latitude of a ring.
struct RingMoments {
  double area = 0;
  double centroid_lat = 0;
};

RingMoments Moments(const Ring& ring) {
  if (ring.size() < 3) return {};
  const LonLat o = ring.front();
  double area2 = 0;
  double lat_moment = 0;
  for (std::size_t i = 0; i < ring.size(); ++i) {
    const LonLat a = ring[i];
    const LonLat b = ring[i + 1 == ring.size() ? 0 : i + 1];
    const double ax = a.lon - o.lon, ay = a.lat - o.lat;
    const double bx = b.lon - o.lon, by = b.lat - o.lat;
    const double w = ax * by - bx * ay;
    area2 += w;
    lat_moment += (ay + by) * w;
  }
  if (area2 == 0) return {0, o.lat};
  return {std::abs(area2) / 2.0, o.lat + lat_moment / (3.0 * area2)};
}

// Segments worth testing for intersection: zero-length ones (repeated positions) are skipped.
std::vector<std::size_t> RealSegments(const Ring& ring) {
  std::vector<std::size_t> segments;
  for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
    if (ring[i].lon != ring[i + 1].lon || ring[i].lat != ring[i + 1].lat) segments.push_back(i);
  }
  return segments;
}

// Segments a->b and c->d share at least one point (within kEps).
bool SegmentsTouch(LonLat a, LonLat b, LonLat c, LonLat d) {
  const int s1 = Side(a, b, c);
  const int s2 = Side(a, b, d);
  const int s3 = Side(c, d, a);
  const int s4 = Side(c, d, b);
  if (s1 * s2 < 0 && s3 * s4 < 0) return true;
  return (s1 == 0 && InSegmentBox(a, b, c)) || (s2 == 0 && InSegmentBox(a, b, d)) ||
         (s3 == 0 && InSegmentBox(c, d, a)) || (s4 == 0 && InSegmentBox(c, d, b));
}

// Consecutive segments a->b, b->c legitimately share b; they are bad only if one doubles back onto the
// other.
bool FoldsBack(LonLat a, LonLat b, LonLat c) { return OnSegment(a, b, c) || OnSegment(b, c, a); }

std::string IntersectionMessage(std::size_t i, std::size_t j) {
  return "ring intersects itself at segment " + std::to_string(i) + " and " + std::to_string(j);
}

}  // namespace

bool Box::Contains(LonLat p) const {
  return p.lon >= min_lon && p.lon <= max_lon && p.lat >= min_lat && p.lat <= max_lat;
}

Box Bounds(const MultiPolygon& shape) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  Box box{kInf, kInf, -kInf, -kInf};
  for (const Polygon& polygon : shape) {
    for (const LonLat& p : polygon.outer) {
      box.min_lon = std::min(box.min_lon, p.lon);
      box.min_lat = std::min(box.min_lat, p.lat);
      box.max_lon = std::max(box.max_lon, p.lon);
      box.max_lat = std::max(box.max_lat, p.lat);
    }
  }
  return box;
}

Where Locate(const Polygon& polygon, LonLat p) {
  const Where outer = LocateInRing(polygon.outer, p);
  if (outer != Where::kInside) return outer;
  for (const Ring& hole : polygon.holes) {
    switch (LocateInRing(hole, p)) {
      case Where::kBoundary: return Where::kBoundary;
      case Where::kInside: return Where::kOutside;
      case Where::kOutside: break;
    }
  }
  return Where::kInside;
}

bool Covers(const MultiPolygon& shape, LonLat p) {
  return std::any_of(shape.begin(), shape.end(),
                     [p](const Polygon& polygon) { return Locate(polygon, p) != Where::kOutside; });
}

std::optional<std::string> CheckRing(const Ring& ring) {
  if (ring.size() < 4) {
    return "ring has " + std::to_string(ring.size()) + " positions, needs at least 4";
  }
  // Coordinates come before closure: a NaN would otherwise be reported as an unclosed ring.
  for (std::size_t i = 0; i < ring.size(); ++i) {
    const LonLat p = ring[i];
    if (!std::isfinite(p.lon) || !std::isfinite(p.lat)) {
      return "position " + std::to_string(i) + " has a non-finite coordinate";
    }
    if (p.lon < -180 || p.lon > 180 || p.lat < -90 || p.lat > 90) {
      return "position " + std::to_string(i) + " is out of range (lon must be in [-180, 180], lat in [-90, 90])";
    }
  }
  if (ring.front().lon != ring.back().lon || ring.front().lat != ring.back().lat) {
    return "ring is not closed";
  }
  const std::vector<std::size_t> segments = RealSegments(ring);
  if (segments.size() < 3) return "ring has zero area";
  // A sweep over longitude: only segments whose longitude spans overlap (within kEps) can touch, so a county
  // boundary of tens of thousands of vertices costs about n log n, not n² (seconds, for an import request).
  // Of all bad pairs the first in ring order is reported, as a plain pairwise loop would.
  const std::size_t m = segments.size();
  auto lo = [&](std::size_t u) { return std::min(ring[segments[u]].lon, ring[segments[u] + 1].lon); };
  auto hi = [&](std::size_t u) { return std::max(ring[segments[u]].lon, ring[segments[u] + 1].lon); };
  std::vector<std::size_t> order(m);
  for (std::size_t u = 0; u < m; ++u) order[u] = u;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return lo(a) < lo(b); });
  std::optional<std::pair<std::size_t, std::size_t>> first;
  for (std::size_t a = 0; a < m; ++a) {
    const double reach = hi(order[a]) + 2 * kEps;
    for (std::size_t b = a + 1; b < m && lo(order[b]) <= reach; ++b) {
      const std::size_t u = std::min(order[a], order[b]), v = std::max(order[a], order[b]);
      if (first && std::make_pair(u, v) >= *first) continue;
      const std::size_t i = segments[u], j = segments[v];
      bool bad;
      if (v == u + 1) {
        bad = FoldsBack(ring[i], ring[i + 1], ring[j + 1]);
      } else if (u == 0 && v == m - 1) {
        // The closing segment runs into the first one at position 0.
        bad = FoldsBack(ring[j], ring[j + 1], ring[i + 1]);
      } else {
        bad = SegmentsTouch(ring[i], ring[i + 1], ring[j], ring[j + 1]);
      }
      if (bad) first = std::make_pair(u, v);
    }
  }
  if (first) return IntersectionMessage(segments[first->first], segments[first->second]);
  // A simple ring can still be a sliver thinner than kEps that no side test above resolves.
  const Box box = Bounds({Polygon{ring, {}}});
  const double extent = std::max(box.max_lon - box.min_lon, box.max_lat - box.min_lat);
  if (std::abs(SignedArea2(ring)) <= kEps * extent) return "ring has zero area";
  return std::nullopt;
}

double AreaSquareMeters(const MultiPolygon& shape) {
  constexpr double kMetersPerDegree = kEarthRadiusMeters * std::numbers::pi / 180.0;
  double total = 0;
  for (const Polygon& polygon : shape) {
    const RingMoments outer = Moments(polygon.outer);
    double area = outer.area;
    double lat_moment = outer.area * outer.centroid_lat;
    for (const Ring& hole : polygon.holes) {
      const RingMoments m = Moments(hole);
      area -= m.area;
      lat_moment -= m.area * m.centroid_lat;
    }
    if (area <= 0) continue;
    const double centroid_lat = lat_moment / area;
    total += area * kMetersPerDegree * kMetersPerDegree * std::cos(centroid_lat * std::numbers::pi / 180.0);
  }
  return total;
}

}  // namespace civicgrid::geo
