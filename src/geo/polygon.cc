#include "geo/polygon.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <optional>
#include <set>
#include <span>
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

// Lexicographic order of positions (lon, then lat): the sweep's order, which also orders the two ends of a
// vertical segment (as if the sweep line were turned a little).
bool LexLess(LonLat a, LonLat b) { return a.lon < b.lon || (a.lon == b.lon && a.lat < b.lat); }

// A segment for the sweep, its ends in sweep order.
struct SweepSegment {
  LonLat lo, hi;
};

// Shamos–Hoey: a sweep over longitude keeping the segments that cross the sweep line in order of latitude
// (an ordered set); only segments that become neighbours in that order are compared, so any number of
// positions costs O(n log n), however the segments overlap in longitude. While no two segments touch, the
// order of those on the line never changes, and the first touching pair met along the sweep is a pair of
// neighbours at some moment; `bad(i, j)` decides whether a touching pair is a fault (ring neighbours share a
// position legitimately). Returns a faulty pair (i < j), not necessarily the first in any order.
template <class Bad>
std::optional<std::pair<std::size_t, std::size_t>> SweepForTouch(std::span<const SweepSegment> segs, const Bad& bad) {
  const std::size_t n = segs.size();
  // Events: 2k inserts segment k at its lower end, 2k + 1 removes it at its upper end. At one position every
  // insertion comes before any removal, so segments that only meet end to end are neighbours for a moment.
  std::vector<std::size_t> events(2 * n);
  for (std::size_t e = 0; e < 2 * n; ++e) events[e] = e;
  auto at = [&](std::size_t e) { return e % 2 == 0 ? segs[e / 2].lo : segs[e / 2].hi; };
  std::sort(events.begin(), events.end(), [&](std::size_t a, std::size_t b) {
    const LonLat pa = at(a), pb = at(b);
    if (LexLess(pa, pb)) return true;
    if (LexLess(pb, pa)) return false;
    return a % 2 < b % 2;
  });
  // Which segment lies lower where both cross the sweep line: judged from the one that starts later, whose
  // lower end is on the line now; a tie (touching) is broken by the other end, then by index.
  auto below = [&](std::size_t a, std::size_t b) {
    if (a == b) return false;
    const SweepSegment& sa = segs[a];
    const SweepSegment& sb = segs[b];
    int s;  // > 0: a is above b
    if (!LexLess(sa.lo, sb.lo)) {
      s = Side(sb.lo, sb.hi, sa.lo);
      if (s == 0) s = Side(sb.lo, sb.hi, sa.hi);
    } else {
      s = -Side(sa.lo, sa.hi, sb.lo);
      if (s == 0) s = -Side(sa.lo, sa.hi, sb.hi);
    }
    if (s != 0) return s < 0;
    return a < b;
  };
  std::set<std::size_t, decltype(below)> line(below);
  std::vector<typename std::set<std::size_t, decltype(below)>::iterator> where(n, line.end());
  auto check = [&](std::size_t a, std::size_t b) -> std::optional<std::pair<std::size_t, std::size_t>> {
    if (bad(std::min(a, b), std::max(a, b))) return std::make_pair(std::min(a, b), std::max(a, b));
    return std::nullopt;
  };
  for (const std::size_t e : events) {
    const std::size_t k = e / 2;
    if (e % 2 == 0) {
      const auto [it, fresh] = line.insert(k);
      if (!fresh) {  // only when the order is not strict: near-touching segments, a fault or not
        if (auto hit = check(*it, k)) return hit;
        continue;
      }
      where[k] = it;
      if (it != line.begin())
        if (auto hit = check(*std::prev(it), k)) return hit;
      if (auto next = std::next(it); next != line.end())
        if (auto hit = check(k, *next)) return hit;
    } else {
      const auto it = where[k];
      if (it == line.end()) continue;
      if (it != line.begin() && std::next(it) != line.end())
        if (auto hit = check(*std::prev(it), *std::next(it))) return hit;
      line.erase(it);
    }
  }
  return std::nullopt;
}

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
  const std::size_t m = segments.size();
  // u < v index `segments`. Ring neighbours share a position; they are bad only if one doubles back.
  auto bad = [&](std::size_t u, std::size_t v) {
    const std::size_t i = segments[u], j = segments[v];
    if (v == u + 1) return FoldsBack(ring[i], ring[i + 1], ring[j + 1]);
    if (u == 0 && v == m - 1) return FoldsBack(ring[j], ring[j + 1], ring[i + 1]);  // the closing segment
    return SegmentsTouch(ring[i], ring[i + 1], ring[j], ring[j + 1]);
  };
  std::vector<SweepSegment> swept(m);
  for (std::size_t u = 0; u < m; ++u) {
    const LonLat a = ring[segments[u]], b = ring[segments[u] + 1];
    swept[u] = LexLess(a, b) ? SweepSegment{a, b} : SweepSegment{b, a};
  }
  auto fault = SweepForTouch(swept, bad);
  if (!fault) {
    // A simple ring can still be a sliver thinner than kEps that no side test above resolves.
    const Box box = Bounds({Polygon{ring, {}}});
    const double extent = std::max(box.max_lon - box.min_lon, box.max_lat - box.min_lat);
    if (std::abs(SignedArea2(ring)) <= kEps * extent) return "ring has zero area";
    return std::nullopt;
  }
  // Name the fault where the ring first runs into itself: the shortest faulty run of segments from the
  // start (found by halving: log n more sweeps, paid only by a bad ring), then the earliest segment that its
  // last segment touches.
  std::size_t clean = 1, faulty = fault->second + 1;  // segment counts: the first `clean` have no fault
  while (faulty - clean > 1) {
    const std::size_t mid = clean + (faulty - clean) / 2;
    if (auto f = SweepForTouch(std::span<const SweepSegment>(swept).first(mid), bad)) {
      fault = f;
      faulty = f->second + 1;
    } else {
      clean = mid;
    }
  }
  const std::size_t v = fault->second;
  std::size_t u = 0;
  while (u < fault->first && !bad(u, v)) ++u;
  return IntersectionMessage(segments[u], segments[v]);
}

std::optional<std::string> CheckHoles(const Polygon& polygon) {
  if (polygon.holes.empty()) return std::nullopt;
  // Every segment of every ring in one sweep; only pairs from different rings count (each ring passed
  // CheckRing), so a hole that touches or crosses the outer ring or another hole is found in O(n log n).
  std::vector<SweepSegment> swept;
  std::vector<std::size_t> ring_of;
  auto add = [&](const Ring& ring, std::size_t r) {
    for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
      const LonLat a = ring[i], b = ring[i + 1];
      if (a.lon == b.lon && a.lat == b.lat) continue;
      swept.push_back(LexLess(a, b) ? SweepSegment{a, b} : SweepSegment{b, a});
      ring_of.push_back(r);
    }
  };
  add(polygon.outer, 0);
  for (std::size_t h = 0; h < polygon.holes.size(); ++h) add(polygon.holes[h], h + 1);
  auto bad = [&](std::size_t u, std::size_t v) {
    return ring_of[u] != ring_of[v] && SegmentsTouch(swept[u].lo, swept[u].hi, swept[v].lo, swept[v].hi);
  };
  if (auto fault = SweepForTouch(swept, bad)) {
    const std::size_t r1 = std::min(ring_of[fault->first], ring_of[fault->second]);
    const std::size_t r2 = std::max(ring_of[fault->first], ring_of[fault->second]);
    if (r1 == 0) return "hole " + std::to_string(r2) + " touches or crosses the outer ring";
    return "hole " + std::to_string(r2) + " touches or crosses hole " + std::to_string(r1);
  }
  // No ring meets another, so each hole lies wholly inside the outer ring or wholly outside it.
  for (std::size_t h = 0; h < polygon.holes.size(); ++h) {
    if (LocateInRing(polygon.outer, polygon.holes[h].front()) != Where::kInside)
      return "hole " + std::to_string(h + 1) + " lies outside the outer ring";
  }
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
