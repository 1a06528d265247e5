#include "geo/polygon.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <numbers>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace civicgrid::geo {
namespace {

using ::testing::HasSubstr;

// Axis-aligned rectangle, counter-clockwise, closed.
Ring Rect(double x0, double y0, double x1, double y1) { return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}; }

Ring Reversed(Ring ring) {
  std::reverse(ring.begin(), ring.end());
  return ring;
}

TEST(BoxTest, ContainsIsClosed) {
  const Box box{1, 2, 3, 4};
  EXPECT_TRUE(box.Contains({2, 3}));
  EXPECT_TRUE(box.Contains({1, 2}));
  EXPECT_TRUE(box.Contains({3, 4}));
  EXPECT_TRUE(box.Contains({1, 3.5}));
  EXPECT_FALSE(box.Contains({0.999, 3}));
  EXPECT_FALSE(box.Contains({2, 4.001}));
}

TEST(BoundsTest, CoversAllOuterRings) {
  const MultiPolygon shape{{Rect(0, 0, 1, 1), {}}, {Rect(5, -2, 6, 3), {}}};
  const Box box = Bounds(shape);
  EXPECT_EQ(box.min_lon, 0);
  EXPECT_EQ(box.min_lat, -2);
  EXPECT_EQ(box.max_lon, 6);
  EXPECT_EQ(box.max_lat, 3);
}

TEST(BoundsTest, EmptyShapeContainsNothing) {
  const Box box = Bounds({});
  EXPECT_FALSE(box.Contains({0, 0}));
  EXPECT_GT(box.min_lon, box.max_lon);
}

TEST(LocateTest, Square) {
  for (const Ring& ring : {Rect(0, 0, 10, 10), Reversed(Rect(0, 0, 10, 10))}) {
    const Polygon square{ring, {}};
    EXPECT_EQ(Locate(square, {5, 5}), Where::kInside);
    EXPECT_EQ(Locate(square, {0.001, 9.999}), Where::kInside);
    EXPECT_EQ(Locate(square, {15, 5}), Where::kOutside);
    EXPECT_EQ(Locate(square, {-1, -1}), Where::kOutside);
    EXPECT_EQ(Locate(square, {5, 10.001}), Where::kOutside);
    // On edges.
    EXPECT_EQ(Locate(square, {10, 5}), Where::kBoundary);
    EXPECT_EQ(Locate(square, {5, 0}), Where::kBoundary);
    EXPECT_EQ(Locate(square, {0, 7.25}), Where::kBoundary);
    EXPECT_EQ(Locate(square, {3.5, 10}), Where::kBoundary);
    // On vertices.
    EXPECT_EQ(Locate(square, {0, 0}), Where::kBoundary);
    EXPECT_EQ(Locate(square, {10, 0}), Where::kBoundary);
    EXPECT_EQ(Locate(square, {10, 10}), Where::kBoundary);
    EXPECT_EQ(Locate(square, {0, 10}), Where::kBoundary);
    // On an edge's line but beyond its end.
    EXPECT_EQ(Locate(square, {15, 0}), Where::kOutside);
    EXPECT_EQ(Locate(square, {-5, 10}), Where::kOutside);
    EXPECT_EQ(Locate(square, {0, 10.5}), Where::kOutside);
  }
}

TEST(LocateTest, BoundaryToleranceIsTiny) {
  const Polygon square{Rect(0, 0, 1, 1), {}};
  EXPECT_EQ(Locate(square, {1 + 1e-13, 0.5}), Where::kBoundary);
  EXPECT_EQ(Locate(square, {1 - 1e-13, 0.5}), Where::kBoundary);
  EXPECT_EQ(Locate(square, {1 + 1e-10, 0.5}), Where::kOutside);
  EXPECT_EQ(Locate(square, {1 - 1e-10, 0.5}), Where::kInside);
}

TEST(LocateTest, SlantedEdgesAtRealCoordinates) {
  // A triangle in Beijing: the midpoint of a slanted edge is not exactly representable, yet lies
  // within rounding of it.
  const LonLat a{116.3912345, 39.9012345};
  const LonLat b{116.4187654, 39.9098765};
  const LonLat c{116.4011111, 39.9234567};
  const Polygon triangle{{a, b, c, a}, {}};
  EXPECT_EQ(Locate(triangle, {(a.lon + b.lon) / 2, (a.lat + b.lat) / 2}), Where::kBoundary);
  EXPECT_EQ(Locate(triangle, {(b.lon + c.lon) / 2, (b.lat + c.lat) / 2}), Where::kBoundary);
  EXPECT_EQ(Locate(triangle, {(a.lon + b.lon + c.lon) / 3, (a.lat + b.lat + c.lat) / 3}), Where::kInside);
  // A metre off an edge, on either side.
  const LonLat mid{(a.lon + c.lon) / 2, (a.lat + c.lat) / 2};
  EXPECT_EQ(Locate(triangle, {mid.lon - 1e-5, mid.lat}), Where::kOutside);
  EXPECT_EQ(Locate(triangle, {mid.lon + 1e-5, mid.lat}), Where::kInside);
}

TEST(LocateTest, ConcavePolygon) {
  // A "U": the notch between x = 2 and x = 4 above y = 2 is outside.
  const Ring u{{0, 0}, {6, 0}, {6, 6}, {4, 6}, {4, 2}, {2, 2}, {2, 6}, {0, 6}, {0, 0}};
  for (const Ring& ring : {u, Reversed(u)}) {
    const Polygon polygon{ring, {}};
    EXPECT_EQ(Locate(polygon, {1, 5}), Where::kInside);
    EXPECT_EQ(Locate(polygon, {5, 5}), Where::kInside);
    EXPECT_EQ(Locate(polygon, {3, 1}), Where::kInside);
    EXPECT_EQ(Locate(polygon, {3, 4}), Where::kOutside);
    EXPECT_EQ(Locate(polygon, {3, 6}), Where::kOutside);  // on the line of the top edges, in the gap
    EXPECT_EQ(Locate(polygon, {3, 2}), Where::kBoundary);
    EXPECT_EQ(Locate(polygon, {2, 4}), Where::kBoundary);
    EXPECT_EQ(Locate(polygon, {4, 2}), Where::kBoundary);
    // The ray from these points runs exactly through vertices (4, 2), (4, 6) and (6, 6).
    EXPECT_EQ(Locate(polygon, {1, 2}), Where::kInside);
    EXPECT_EQ(Locate(polygon, {-1, 2}), Where::kOutside);
    EXPECT_EQ(Locate(polygon, {-1, 6}), Where::kOutside);
    EXPECT_EQ(Locate(polygon, {7, 2}), Where::kOutside);
  }
}

TEST(LocateTest, RayThroughSpikeVertices) {
  // A diamond and a star-like shape whose vertices sit on the ray of the test points.
  const Polygon diamond{{{0, -2}, {2, 0}, {0, 2}, {-2, 0}, {0, -2}}, {}};
  EXPECT_EQ(Locate(diamond, {0, 0}), Where::kInside);
  EXPECT_EQ(Locate(diamond, {-3, 0}), Where::kOutside);
  EXPECT_EQ(Locate(diamond, {-3, 2}), Where::kOutside);
  EXPECT_EQ(Locate(diamond, {-3, -2}), Where::kOutside);
  EXPECT_EQ(Locate(diamond, {2, 0}), Where::kBoundary);
  const Polygon zigzag{{{0, 0}, {1, 1}, {2, 0}, {3, 1}, {4, 0}, {4, 3}, {0, 3}, {0, 0}}, {}};
  EXPECT_EQ(Locate(zigzag, {-1, 1}), Where::kOutside);
  EXPECT_EQ(Locate(zigzag, {0.5, 1}), Where::kInside);
  EXPECT_EQ(Locate(zigzag, {2, 0.5}), Where::kInside);  // above the dip at (2, 0)
  EXPECT_EQ(Locate(zigzag, {1.5, 1}), Where::kInside);
  EXPECT_EQ(Locate(zigzag, {2, 1}), Where::kInside);
  EXPECT_EQ(Locate(zigzag, {1, 0.5}), Where::kOutside);  // below the peak at (1, 1)
  EXPECT_EQ(Locate(zigzag, {-1, 0}), Where::kOutside);   // ray through (0, 0), (2, 0) and (4, 0)
  EXPECT_EQ(Locate(zigzag, {5, 0}), Where::kOutside);
  EXPECT_EQ(Locate(zigzag, {2, 0}), Where::kBoundary);
  EXPECT_EQ(Locate(zigzag, {0.5, 0.25}), Where::kOutside);
}

TEST(LocateTest, PolygonWithHole) {
  const Polygon donut{Rect(0, 0, 10, 10), {Rect(3, 3, 7, 7)}};
  EXPECT_EQ(Locate(donut, {1, 1}), Where::kInside);
  EXPECT_EQ(Locate(donut, {2, 5}), Where::kInside);
  EXPECT_EQ(Locate(donut, {8, 5}), Where::kInside);
  EXPECT_EQ(Locate(donut, {5, 5}), Where::kOutside);   // in the hole
  EXPECT_EQ(Locate(donut, {3, 5}), Where::kBoundary);  // on the hole's edge
  EXPECT_EQ(Locate(donut, {5, 7}), Where::kBoundary);
  EXPECT_EQ(Locate(donut, {3, 3}), Where::kBoundary);  // on the hole's vertex
  EXPECT_EQ(Locate(donut, {0, 5}), Where::kBoundary);
  EXPECT_EQ(Locate(donut, {11, 5}), Where::kOutside);
  // GeoJSON winds holes clockwise; the result does not depend on it.
  const Polygon cw_hole{Rect(0, 0, 10, 10), {Reversed(Rect(3, 3, 7, 7))}};
  EXPECT_EQ(Locate(cw_hole, {5, 5}), Where::kOutside);
  EXPECT_EQ(Locate(cw_hole, {7, 4}), Where::kBoundary);
  EXPECT_EQ(Locate(cw_hole, {8, 4}), Where::kInside);
}

TEST(LocateTest, TwoHoles) {
  const Polygon polygon{Rect(0, 0, 10, 4), {Rect(1, 1, 3, 3), Rect(6, 1, 8, 3)}};
  EXPECT_EQ(Locate(polygon, {2, 2}), Where::kOutside);
  EXPECT_EQ(Locate(polygon, {7, 2}), Where::kOutside);
  EXPECT_EQ(Locate(polygon, {4.5, 2}), Where::kInside);
  EXPECT_EQ(Locate(polygon, {8, 2}), Where::kBoundary);
}

TEST(LocateTest, UnclosedRingImpliesClosingEdge) {
  const Polygon open{{{0, 0}, {4, 0}, {4, 4}, {0, 4}}, {}};
  EXPECT_EQ(Locate(open, {2, 2}), Where::kInside);
  EXPECT_EQ(Locate(open, {0, 2}), Where::kBoundary);
  EXPECT_EQ(Locate(open, {-1, 2}), Where::kOutside);
}

TEST(LocateTest, EmptyPolygonCoversNothing) { EXPECT_EQ(Locate(Polygon{}, {0, 0}), Where::kOutside); }

TEST(CoversTest, MultiPolygon) {
  const MultiPolygon shape{{Rect(0, 0, 1, 1), {}}, {Rect(2, 0, 3, 1), {Rect(2.25, 0.25, 2.75, 0.75)}}};
  EXPECT_TRUE(Covers(shape, {0.5, 0.5}));
  EXPECT_TRUE(Covers(shape, {2.1, 0.5}));
  EXPECT_TRUE(Covers(shape, {1, 0.5}));     // boundary of the first
  EXPECT_TRUE(Covers(shape, {2.25, 0.5}));  // boundary of the second's hole
  EXPECT_FALSE(Covers(shape, {1.5, 0.5}));  // between the members
  EXPECT_FALSE(Covers(shape, {2.5, 0.5}));  // in the hole
  EXPECT_FALSE(Covers(shape, {0.5, 1.5}));
  EXPECT_FALSE(Covers({}, {0.5, 0.5}));
}

TEST(CheckRingTest, AcceptsValidRings) {
  EXPECT_EQ(CheckRing(Rect(116.30, 39.90, 116.31, 39.91)), std::nullopt);
  EXPECT_EQ(CheckRing(Reversed(Rect(0, 0, 1, 1))), std::nullopt);
  EXPECT_EQ(CheckRing({{0, 0}, {1, 0}, {0, 1}, {0, 0}}), std::nullopt);
  EXPECT_EQ(CheckRing({{0, 0}, {6, 0}, {6, 6}, {4, 6}, {4, 2}, {2, 2}, {2, 6}, {0, 6}, {0, 0}}), std::nullopt);
  // Collinear consecutive vertices and a repeated position are harmless.
  EXPECT_EQ(CheckRing({{0, 0}, {1, 0}, {2, 0}, {2, 2}, {2, 2}, {0, 2}, {0, 0}}), std::nullopt);
  EXPECT_EQ(CheckRing({{-180, -90}, {180, -90}, {180, 90}, {-180, 90}, {-180, -90}}), std::nullopt);
}

TEST(CheckRingTest, TooFewPositions) {
  EXPECT_EQ(CheckRing({{0, 0}, {1, 0}, {0, 0}}), "ring has 3 positions, needs at least 4");
  EXPECT_EQ(CheckRing({}), "ring has 0 positions, needs at least 4");
}

TEST(CheckRingTest, NotClosed) {
  EXPECT_EQ(CheckRing({{0, 0}, {1, 0}, {1, 1}, {0, 1}}), "ring is not closed");
  EXPECT_EQ(CheckRing({{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 1e-9}}), "ring is not closed");
}

TEST(CheckRingTest, BadCoordinates) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(CheckRing({{0, 0}, {1, 0}, {nan, 1}, {0, 1}, {0, 0}}), "position 2 has a non-finite coordinate");
  EXPECT_EQ(CheckRing({{nan, 0}, {1, 0}, {1, 1}, {nan, 0}}), "position 0 has a non-finite coordinate");
  EXPECT_EQ(CheckRing({{0, 0}, {1, inf}, {1, 1}, {0, 0}}), "position 1 has a non-finite coordinate");
  EXPECT_THAT(CheckRing({{179, 0}, {181, 0}, {180, 1}, {179, 0}}).value_or(""),
              HasSubstr("position 1 is out of range"));
  EXPECT_THAT(CheckRing({{0, 89}, {1, 89}, {1, 90.5}, {0, 89}}).value_or(""), HasSubstr("position 2 is out of range"));
}

TEST(CheckRingTest, SelfIntersections) {
  // Bow-tie: segment 0 (0,0)-(1,1) crosses segment 2 (1,0)-(0,1).
  EXPECT_EQ(CheckRing({{0, 0}, {1, 1}, {1, 0}, {0, 1}, {0, 0}}), "ring intersects itself at segment 0 and 2");
  // A vertex touching another edge.
  EXPECT_EQ(CheckRing({{0, 0}, {4, 0}, {4, 4}, {2, 0}, {0, 4}, {0, 0}}), "ring intersects itself at segment 0 and 2");
  // Figure eight through a shared vertex (2, 2).
  EXPECT_EQ(CheckRing({{0, 0}, {2, 2}, {4, 0}, {4, 4}, {2, 2}, {0, 4}, {0, 0}}),
            "ring intersects itself at segment 0 and 3");
  // An edge running back over an earlier one: segment 3 (2,3)-(2,1) overlaps segment 1 (2,0)-(2,2).
  EXPECT_EQ(CheckRing({{0, 0}, {2, 0}, {2, 2}, {2, 3}, {2, 1}, {0, 2}, {0, 0}}),
            "ring intersects itself at segment 1 and 3");
  // A spike: segment 3 doubles back along segment 2, its neighbour.
  EXPECT_EQ(CheckRing({{0, 0}, {2, 0}, {2, 2}, {3, 3}, {2.5, 2.5}, {0, 2}, {0, 0}}),
            "ring intersects itself at segment 2 and 3");
  // The bottom edge is retraced: segment 3 ends on segment 0, segment 4 lies along it.
  EXPECT_EQ(CheckRing({{0, 0}, {3, 0}, {3, 1}, {2, 1}, {2, 0}, {1, 0}, {1, 2}, {0, 2}, {0, 0}}),
            "ring intersects itself at segment 0 and 3");
  // The closing segment (3,0)-(0,0) runs back over the first one (0,0)-(1,0).
  EXPECT_EQ(CheckRing({{0, 0}, {1, 0}, {1, -1}, {3, -1}, {3, 0}, {0, 0}}), "ring intersects itself at segment 0 and 4");
}

// A county boundary from a survey has tens of thousands of vertices: checked by a sweep, not pair by pair.
TEST(CheckRingTest, LargeRings) {
  constexpr int kN = 60000;
  Ring ring;
  for (int k = 0; k < kN; ++k) {  // a wobbly circle: simple, irregular
    const double a = 2 * std::numbers::pi * k / kN, r = 0.1 * (1 + 0.05 * std::sin(37 * a));
    ring.push_back({120 + r * std::cos(a), 34 + r * std::sin(a)});
  }
  ring.push_back(ring.front());
  EXPECT_EQ(CheckRing(ring), std::nullopt);
  // Swap two neighbouring vertices far along the ring: their segments now cross each other.
  Ring crossed = ring;
  std::swap(crossed[40001], crossed[40002]);
  EXPECT_EQ(CheckRing(crossed), "ring intersects itself at segment 40000 and 40002");
  // Two faults: the one first in ring order is named, whichever the sweep meets first.
  std::swap(crossed[20001], crossed[20002]);
  EXPECT_EQ(CheckRing(crossed), "ring intersects itself at segment 20000 and 20002");
}

// A zigzag whose every segment spans the whole width: a sweep that prunes by longitude alone compares each
// segment with all others (40,000 positions took 8.7 s). Issue 17 item 7.
Ring Zigzag(int n, double width = 0.01, double step = 1e-6) {
  Ring ring;
  for (int k = 0; k < n - 4; ++k) ring.push_back({120 + (k % 2 ? width : 0), 33 + k * step});
  const double top = 33 + (n - 5) * step;
  ring.push_back({120 + 2 * width, top});
  ring.push_back({120 + 2 * width, 33 - step});
  ring.push_back({120, 33 - step});
  ring.push_back(ring.front());
  return ring;
}

TEST(CheckRingTest, ZigzagIsQuick) {
  const Ring ring = Zigzag(40000);
  ASSERT_EQ(ring.size(), 40000u);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(CheckRing(ring), std::nullopt);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("40,000-point zigzag checked in %.3f s\n", seconds);
  EXPECT_LT(seconds, 0.5);
  // One tooth pushed across its neighbour is found, and named by the first segment in ring order that
  // runs into an earlier one.
  Ring crossed = ring;
  crossed[30001].lat = crossed[30003].lat + 1e-7;  // segment 30000 now climbs past segments 30002 and 30003
  const auto t2 = std::chrono::steady_clock::now();
  EXPECT_EQ(CheckRing(crossed), "ring intersects itself at segment 30000 and 30002");
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t2).count(), 2.0);
}

// The sweep against the plain pairwise definition, on small rings drawn on a coarse lattice (many shared
// points, collinear overlaps and vertical edges: the degenerate cases a sweep gets wrong).
std::optional<std::string> PairwiseCheck(const Ring& ring) {
  std::vector<std::size_t> seg;
  for (std::size_t i = 0; i + 1 < ring.size(); ++i)
    if (ring[i].lon != ring[i + 1].lon || ring[i].lat != ring[i + 1].lat) seg.push_back(i);
  const std::size_t m = seg.size();
  auto on = [](LonLat a, LonLat b, LonLat p) {
    const double c = (b.lon - a.lon) * (p.lat - a.lat) - (b.lat - a.lat) * (p.lon - a.lon);
    return c == 0 && p.lon >= std::min(a.lon, b.lon) && p.lon <= std::max(a.lon, b.lon) &&
           p.lat >= std::min(a.lat, b.lat) && p.lat <= std::max(a.lat, b.lat);
  };
  auto side = [](LonLat a, LonLat b, LonLat p) {
    const double c = (b.lon - a.lon) * (p.lat - a.lat) - (b.lat - a.lat) * (p.lon - a.lon);
    return c > 0 ? 1 : c < 0 ? -1 : 0;
  };
  for (std::size_t v = 1; v < m; ++v) {
    for (std::size_t u = 0; u < v; ++u) {
      const LonLat a = ring[seg[u]], b = ring[seg[u] + 1], c = ring[seg[v]], d = ring[seg[v] + 1];
      bool bad;
      if (v == u + 1) bad = on(a, b, d) || on(c, d, a);
      else if (u == 0 && v == m - 1) bad = on(c, d, b) || on(a, b, c);
      else
        bad = (side(a, b, c) * side(a, b, d) < 0 && side(c, d, a) * side(c, d, b) < 0) || on(a, b, c) || on(a, b, d) ||
              on(c, d, a) || on(c, d, b);
      if (bad) return "ring intersects itself at segment " + std::to_string(seg[u]) + " and " + std::to_string(seg[v]);
    }
  }
  return std::nullopt;
}

TEST(CheckRingTest, SweepAgreesWithPairwiseOnLatticeRings) {
  std::uint64_t state = 12345;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return int((state >> 33) % 5);
  };
  int bad = 0;
  for (int t = 0; t < 20000; ++t) {
    const int n = 3 + t % 7;
    Ring ring;
    for (int k = 0; k < n; ++k) ring.push_back({double(next()), double(next())});
    ring.push_back(ring.front());
    const auto expected = PairwiseCheck(ring);
    auto got = CheckRing(ring);
    // Area is not the pairwise test's business, nor are rings of fewer than three segments.
    std::size_t real = 0;
    for (std::size_t i = 0; i + 1 < ring.size(); ++i)
      real += ring[i].lon != ring[i + 1].lon || ring[i].lat != ring[i + 1].lat;
    if (got == "ring has zero area" && (!expected || real < 3)) continue;
    ASSERT_EQ(got, expected) << "ring " << t;
    bad += expected.has_value();
  }
  EXPECT_GT(bad, 1000);  // the lattice gives plenty of both
}

TEST(CheckHolesTest, HolesInsideApartFromTheOuterRing) {
  EXPECT_EQ(CheckHoles({Rect(0, 0, 10, 10), {}}), std::nullopt);
  EXPECT_EQ(CheckHoles({Rect(0, 0, 10, 10), {Rect(3, 3, 7, 7)}}), std::nullopt);
  EXPECT_EQ(CheckHoles({Rect(0, 0, 10, 10), {Reversed(Rect(1, 1, 2, 2)), Rect(5, 5, 6, 6)}}), std::nullopt);
  // Wholly outside: beside the outer ring, or around it.
  EXPECT_EQ(CheckHoles({Rect(0, 0, 10, 10), {Rect(20, 0, 30, 10)}}), "hole 1 lies outside the outer ring");
  EXPECT_EQ(CheckHoles({Rect(0, 0, 10, 10), {Rect(3, 3, 7, 7), Rect(-5, -5, 15, 15)}}),
            "hole 2 lies outside the outer ring");
  // Half out, touching the outer ring along an edge or at a vertex, overlapping another hole.
  EXPECT_EQ(CheckHoles({Rect(0, 0, 10, 10), {Rect(8, 4, 12, 6)}}), "hole 1 touches or crosses the outer ring");
  EXPECT_EQ(CheckHoles({Rect(0, 0, 10, 10), {Rect(5, 0, 7, 2)}}), "hole 1 touches or crosses the outer ring");
  EXPECT_EQ(CheckHoles({Rect(0, 0, 10, 10), {{{10, 5}, {8, 6}, {8, 4}, {10, 5}}}}),
            "hole 1 touches or crosses the outer ring");
  EXPECT_EQ(CheckHoles({Rect(0, 0, 10, 10), {Rect(2, 2, 5, 5), Rect(4, 4, 6, 6)}}), "hole 2 touches or crosses hole 1");
  // A hole inside the notch of a U is outside the polygon although inside its bounds.
  const Ring u{{0, 0}, {6, 0}, {6, 6}, {4, 6}, {4, 2}, {2, 2}, {2, 6}, {0, 6}, {0, 0}};
  EXPECT_EQ(CheckHoles({u, {Rect(2.5, 3, 3.5, 5)}}), "hole 1 lies outside the outer ring");
  EXPECT_EQ(CheckHoles({u, {Rect(0.5, 3, 1.5, 5)}}), std::nullopt);
}

TEST(CheckRingTest, ZeroArea) {
  EXPECT_EQ(CheckRing({{0, 0}, {1, 0}, {0, 0}, {0, 0}}), "ring has zero area");
  EXPECT_EQ(CheckRing({{0, 0}, {0, 0}, {0, 0}, {0, 0}}), "ring has zero area");
  // A sliver thinner than the 1e-12 tolerance has a vertex "on" another edge, so it is rejected too.
  EXPECT_NE(CheckRing({{0, 0}, {1, 0}, {2, 1e-13}, {0, 0}}), std::nullopt);
  // Collinear back and forth is caught as an edge doubling back.
  EXPECT_THAT(CheckRing({{0, 0}, {1, 0}, {2, 0}, {0, 0}}).value_or(""), HasSubstr("intersects itself"));
}

TEST(AreaTest, MatchesSphericalArea) {
  constexpr double kR = 6371008.8;
  constexpr double kRad = std::numbers::pi / 180.0;
  // Exact area of a lon/lat rectangle on the sphere: R^2 * dlon * (sin(lat1) - sin(lat0)).
  auto spherical = [&](double x0, double y0, double x1, double y1) {
    return kR * kR * (x1 - x0) * kRad * (std::sin(y1 * kRad) - std::sin(y0 * kRad));
  };
  const double beijing = AreaSquareMeters({{Rect(116.3, 39.9, 116.32, 39.92), {}}});
  EXPECT_NEAR(beijing / spherical(116.3, 39.9, 116.32, 39.92), 1.0, 1e-5);
  EXPECT_NEAR(beijing, 3.79e6, 0.01e6);  // about 1.7 km x 2.2 km
  const double equator = AreaSquareMeters({{Rect(0, 0, 1, 1), {}}});
  EXPECT_NEAR(equator / spherical(0, 0, 1, 1), 1.0, 1e-3);
  // Winding does not matter; holes and extra members do.
  EXPECT_DOUBLE_EQ(AreaSquareMeters({{Reversed(Rect(0, 0, 1, 1)), {}}}), equator);
  const double donut = AreaSquareMeters({{Rect(0, 0, 0.02, 0.02), {Rect(0.005, 0.005, 0.015, 0.015)}}});
  EXPECT_NEAR(donut / spherical(0, 0, 0.02, 0.02), 0.75, 1e-4);
  const double two = AreaSquareMeters({{Rect(0, 0, 0.01, 0.01), {}}, {Rect(0.02, 0, 0.03, 0.01), {}}});
  EXPECT_NEAR(two / spherical(0, 0, 0.01, 0.01), 2.0, 1e-4);
  EXPECT_EQ(AreaSquareMeters({}), 0);
}

}  // namespace
}  // namespace civicgrid::geo
