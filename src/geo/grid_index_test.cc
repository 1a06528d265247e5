#include "geo/grid_index.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace civicgrid::geo {
namespace {

Ring Rect(double x0, double y0, double x1, double y1) { return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}; }

// A jittered n x n tiling: corners move by up to 20% of a cell and each side carries `per_side`
// wobbling intermediate vertices. Neighbours build their rings from the same vertex values, so shared
// edges are exactly shared, as in real grid data.
struct Tiling {
  int n = 0;
  int per_side = 0;
  std::vector<LonLat> corners;                  // (n + 1) x (n + 1)
  std::vector<std::vector<LonLat>> horizontal;  // side from corner (i, j) to (i + 1, j)
  std::vector<std::vector<LonLat>> vertical;    // side from corner (i, j) to (i, j + 1)
  std::vector<GridIndex::Entry> entries;        // cell (i, j) is entries[i * n + j]

  LonLat Corner(int i, int j) const { return corners[i * (n + 1) + j]; }
};

Tiling MakeTiling(int n, int per_side, LonLat origin, double cell, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> corner_jitter(-0.2 * cell, 0.2 * cell);
  std::uniform_real_distribution<double> side_jitter(-0.08 * cell, 0.08 * cell);
  Tiling t;
  t.n = n;
  t.per_side = per_side;
  for (int i = 0; i <= n; ++i) {
    for (int j = 0; j <= n; ++j) {
      t.corners.push_back({origin.lon + i * cell + corner_jitter(rng), origin.lat + j * cell + corner_jitter(rng)});
    }
  }
  // Sides are stored for every (i, j) with i, j in [0, n]; the ones past the last row are unused.
  auto side = [&](LonLat from, LonLat to, bool wobble_lat) {
    std::vector<LonLat> points;
    for (int s = 1; s <= per_side; ++s) {
      const double f = static_cast<double>(s) / (per_side + 1);
      LonLat p{from.lon + f * (to.lon - from.lon), from.lat + f * (to.lat - from.lat)};
      (wobble_lat ? p.lat : p.lon) += side_jitter(rng);
      points.push_back(p);
    }
    return points;
  };
  for (int i = 0; i <= n; ++i) {
    for (int j = 0; j <= n; ++j) {
      t.horizontal.push_back(i < n ? side(t.Corner(i, j), t.Corner(i + 1, j), true) : std::vector<LonLat>{});
      t.vertical.push_back(j < n ? side(t.Corner(i, j), t.Corner(i, j + 1), false) : std::vector<LonLat>{});
    }
  }
  // Distinct ids in an order unrelated to position, so that "smallest id" is really exercised.
  const std::int64_t cells = static_cast<std::int64_t>(n) * n;
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      const auto& bottom = t.horizontal[i * (n + 1) + j];
      const auto& right = t.vertical[(i + 1) * (n + 1) + j];
      const auto& top = t.horizontal[i * (n + 1) + j + 1];
      const auto& left = t.vertical[i * (n + 1) + j];
      Ring ring{t.Corner(i, j)};
      ring.insert(ring.end(), bottom.begin(), bottom.end());
      ring.push_back(t.Corner(i + 1, j));
      ring.insert(ring.end(), right.begin(), right.end());
      ring.push_back(t.Corner(i + 1, j + 1));
      ring.insert(ring.end(), top.rbegin(), top.rend());
      ring.push_back(t.Corner(i, j + 1));
      ring.insert(ring.end(), left.rbegin(), left.rend());
      ring.push_back(t.Corner(i, j));
      const std::int64_t id = 100 + (static_cast<std::int64_t>(i * n + j) * 7919) % cells;
      t.entries.push_back({id, {Polygon{std::move(ring), {}}}});
    }
  }
  return t;
}

// The reference answer: every entry, in id order, first cover wins.
std::optional<std::int64_t> BruteForce(std::vector<GridIndex::Entry> entries, LonLat p) {
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  for (const auto& entry : entries) {
    if (Covers(entry.shape, p)) return entry.id;
  }
  return std::nullopt;
}

// Faster reference for many points: entries pre-sorted once.
class Reference {
 public:
  explicit Reference(std::vector<GridIndex::Entry> entries) : entries_(std::move(entries)) {
    std::sort(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  }
  std::optional<std::int64_t> Locate(LonLat p) const {
    for (const auto& entry : entries_) {
      if (Covers(entry.shape, p)) return entry.id;
    }
    return std::nullopt;
  }

 private:
  std::vector<GridIndex::Entry> entries_;
};

Box TotalBounds(const std::vector<GridIndex::Entry>& entries) {
  MultiPolygon all;
  for (const auto& entry : entries) all.insert(all.end(), entry.shape.begin(), entry.shape.end());
  return Bounds(all);
}

// Compares the index with brute force on random points over the bounds plus a margin on every side,
// and on points snapped to a coarse lattice (which lands many of them on bucket and cell borders).
void ExpectMatchesBruteForce(const std::vector<GridIndex::Entry>& entries, int samples, std::uint64_t seed,
                             double min_found = 0.5) {
  const GridIndex index(entries);
  const Reference reference(entries);
  const Box box = TotalBounds(entries);
  const double w = box.max_lon - box.min_lon;
  const double h = box.max_lat - box.min_lat;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> fx(box.min_lon - 0.05 * w, box.max_lon + 0.05 * w);
  std::uniform_real_distribution<double> fy(box.min_lat - 0.05 * h, box.max_lat + 0.05 * h);
  int found = 0;
  for (int k = 0; k < samples; ++k) {
    LonLat p{fx(rng), fy(rng)};
    if (k % 4 == 0) p = {std::round(p.lon * 256) / 256, std::round(p.lat * 256) / 256};
    const auto want = reference.Locate(p);
    ASSERT_EQ(index.Locate(p), want) << "point " << k << " (" << p.lon << ", " << p.lat << ")";
    found += want.has_value();
  }
  EXPECT_GE(found, min_found * samples);  // the sample really exercises the shapes
}

TEST(GridIndexTest, TilingIsValidGeoJson) {
  const Tiling t = MakeTiling(20, 3, {116.2, 39.8}, 0.01, 1);
  for (const auto& entry : t.entries) {
    ASSERT_EQ(entry.shape.size(), 1u);
    EXPECT_EQ(entry.shape[0].outer.size(), 17u);
    EXPECT_EQ(CheckRing(entry.shape[0].outer), std::nullopt) << "cell " << entry.id;
  }
}

TEST(GridIndexTest, TilingMatchesBruteForce) {
  const Tiling t = MakeTiling(20, 3, {116.2, 39.8}, 0.01, 2);
  const GridIndex index(t.entries);
  EXPECT_EQ(index.size(), 400u);
  ExpectMatchesBruteForce(t.entries, 20000, 3);
}

TEST(GridIndexTest, OtherSizesMatchBruteForce) {
  for (int n : {1, 2, 3, 7}) {
    const Tiling t = MakeTiling(n, 2, {121.4, 31.2}, 0.013, 10 + n);
    ExpectMatchesBruteForce(t.entries, 4000, 20 + n);
  }
}

TEST(GridIndexTest, SharedVerticesAndEdgesGoToTheSmallestId) {
  const Tiling t = MakeTiling(20, 3, {116.2, 39.8}, 0.01, 4);
  const GridIndex index(t.entries);
  const Reference reference(t.entries);
  const int n = t.n;
  auto id = [&](int i, int j) { return t.entries[i * n + j].id; };
  // Interior corners are shared by four cells.
  for (int i = 1; i < n; ++i) {
    for (int j = 1; j < n; ++j) {
      const std::int64_t want = std::min({id(i - 1, j - 1), id(i, j - 1), id(i - 1, j), id(i, j)});
      EXPECT_EQ(index.Locate(t.Corner(i, j)), want);
    }
  }
  // Every vertex and every edge midpoint of every cell: midpoints are not exactly representable but
  // lie within rounding of the shared edge, so they are on both neighbours.
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      const Ring& ring = t.entries[i * n + j].shape[0].outer;
      for (std::size_t k = 0; k + 1 < ring.size(); ++k) {
        const LonLat mid{(ring[k].lon + ring[k + 1].lon) / 2, (ring[k].lat + ring[k + 1].lat) / 2};
        for (LonLat p : {ring[k], mid}) {
          const auto got = index.Locate(p);
          ASSERT_EQ(got, reference.Locate(p));
          ASSERT_TRUE(got.has_value());
          EXPECT_LE(*got, id(i, j));
        }
      }
    }
  }
  // A midpoint of a side between (i, j) and (i + 1, j) goes to the smaller of the two.
  for (int i = 0; i + 1 < n; ++i) {
    for (int j = 0; j < n; ++j) {
      const auto& side = t.vertical[(i + 1) * (n + 1) + j];
      const LonLat p{(side[0].lon + side[1].lon) / 2, (side[0].lat + side[1].lat) / 2};
      EXPECT_EQ(index.Locate(p), std::min(id(i, j), id(i + 1, j)));
    }
  }
}

TEST(GridIndexTest, SharedEdgeTieGoesToTheSmallerId) {
  // Left square has the larger id; input order must not matter.
  for (bool swap : {false, true}) {
    std::vector<GridIndex::Entry> entries{{5, {{Rect(0, 0, 1, 1), {}}}}, {2, {{Rect(1, 0, 2, 1), {}}}}};
    if (swap) std::swap(entries[0], entries[1]);
    const GridIndex index(std::move(entries));
    EXPECT_EQ(index.Locate({1, 0.5}), 2);
    EXPECT_EQ(index.Locate({1, 0}), 2);
    EXPECT_EQ(index.Locate({1, 1}), 2);
    EXPECT_EQ(index.Locate({0.5, 0.5}), 5);
    EXPECT_EQ(index.Locate({0, 0}), 5);
    EXPECT_EQ(index.Locate({1.5, 0.5}), 2);
    EXPECT_EQ(index.Locate({1 - 1e-9, 0.5}), 5);
    EXPECT_EQ(index.Locate({1 + 1e-9, 0.5}), 2);
  }
}

TEST(GridIndexTest, OutsideIsNullopt) {
  const GridIndex index({{1, {{Rect(0, 0, 1, 1), {}}}}, {2, {{Rect(3, 0, 4, 1), {}}}}});
  EXPECT_EQ(index.Locate({2, 0.5}), std::nullopt);  // in the gap, inside the total bounds
  EXPECT_EQ(index.Locate({-1, 0.5}), std::nullopt);
  EXPECT_EQ(index.Locate({0.5, 1.5}), std::nullopt);
  EXPECT_EQ(index.Locate({1 + 1e-9, 0.5}), std::nullopt);
  EXPECT_EQ(index.Locate({std::numeric_limits<double>::quiet_NaN(), 0.5}), std::nullopt);
  EXPECT_EQ(index.Locate({0.5, std::numeric_limits<double>::infinity()}), std::nullopt);
  EXPECT_EQ(index.Locate({3.5, 0.5}), 2);
}

TEST(GridIndexTest, EmptyIndex) {
  const GridIndex index({});
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(index.Locate({0, 0}), std::nullopt);
  EXPECT_EQ(index.Locate({116.4, 39.9}), std::nullopt);
  // Entries without polygons count but cover nothing.
  const GridIndex hollow({{1, {}}, {2, {Polygon{}}}});
  EXPECT_EQ(hollow.size(), 2u);
  EXPECT_EQ(hollow.Locate({0, 0}), std::nullopt);
}

TEST(GridIndexTest, HolesEnclavesAndMultiPolygons) {
  // Grid 20 is a donut; grid 10 fills its hole (an enclave); grid 30 has two separate parts.
  std::vector<GridIndex::Entry> entries{
      {20, {{Rect(0, 0, 10, 10), {Rect(3, 3, 7, 7)}}}},
      {10, {{Rect(3, 3, 7, 7), {}}}},
      {30, {{Rect(10, 0, 12, 2), {}}, {Rect(20, 20, 21, 21), {}}}},
  };
  const GridIndex index(entries);
  EXPECT_EQ(index.Locate({5, 5}), 10);
  EXPECT_EQ(index.Locate({3, 5}), 10);  // the hole's edge is on both; 10 < 20
  EXPECT_EQ(index.Locate({1, 1}), 20);
  EXPECT_EQ(index.Locate({10, 1}), 20);  // shared with grid 30
  EXPECT_EQ(index.Locate({11, 1}), 30);
  EXPECT_EQ(index.Locate({20.5, 20.5}), 30);
  EXPECT_EQ(index.Locate({15, 15}), std::nullopt);
  ExpectMatchesBruteForce(entries, 5000, 5, 0.1);  // sparse: most of the bounds is empty
  EXPECT_EQ(BruteForce(entries, {3, 5}), 10);
}

TEST(GridIndexTest, OverlappingShapesMatchBruteForce) {
  // Bad data can overlap; the smallest id must still win everywhere. Add big shapes over the tiling,
  // one with a smaller id than all tiles and one with a larger id.
  Tiling t = MakeTiling(12, 3, {113.9, 22.5}, 0.01, 6);
  t.entries.push_back({1, {{Rect(113.93, 22.53, 113.97, 22.57), {Rect(113.94, 22.54, 113.95, 22.55)}}}});
  t.entries.push_back({1000000, {{Rect(113.92, 22.52, 114.1, 22.58), {}}}});
  ExpectMatchesBruteForce(t.entries, 20000, 7);
}

TEST(GridIndexTest, ClusteredDataMatchesBruteForce) {
  // A dense city plus one stray polygon far away: almost all shapes share a handful of buckets of the
  // uniform grid, which must then defer to the R-tree.
  Tiling t = MakeTiling(15, 3, {116.2, 39.8}, 0.01, 11);
  std::vector<GridIndex::Entry> entries = t.entries;
  entries.push_back({5, {{Rect(125.0, 45.0, 125.01, 45.01), {}}}});
  const GridIndex index(entries);
  const Reference reference(entries);
  std::mt19937_64 rng(12);
  std::uniform_real_distribution<double> fx(116.18, 116.37);
  std::uniform_real_distribution<double> fy(39.78, 39.97);
  for (int k = 0; k < 10000; ++k) {
    const LonLat p{fx(rng), fy(rng)};
    ASSERT_EQ(index.Locate(p), reference.Locate(p)) << "point " << k;
  }
  EXPECT_EQ(index.Locate({125.005, 45.005}), 5);
  EXPECT_EQ(index.Locate({120, 42}), std::nullopt);
  ExpectMatchesBruteForce(entries, 2000, 13, 0.0);
}

TEST(GridIndexTest, MoveKeepsTheIndex) {
  GridIndex index({{7, {{Rect(0, 0, 1, 1), {}}}}});
  GridIndex moved(std::move(index));
  EXPECT_EQ(moved.Locate({0.5, 0.5}), 7);
  EXPECT_EQ(moved.size(), 1u);
  EXPECT_EQ(index.size(), 0u);  // NOLINT(bugprone-use-after-move): documented moved-from state
  EXPECT_EQ(index.Locate({0.5, 0.5}), std::nullopt);
  GridIndex other({});
  other = std::move(moved);
  EXPECT_EQ(other.Locate({0.5, 0.5}), 7);
}

TEST(GridIndexTest, ConcurrentReaders) {
  const Tiling t = MakeTiling(20, 3, {116.2, 39.8}, 0.01, 8);
  const GridIndex index(t.entries);
  std::mt19937_64 rng(9);
  std::uniform_real_distribution<double> fx(116.19, 116.41);
  std::uniform_real_distribution<double> fy(39.79, 40.01);
  std::vector<LonLat> points(4000);
  for (LonLat& p : points) p = {fx(rng), fy(rng)};
  std::vector<std::optional<std::int64_t>> want;
  for (LonLat p : points) want.push_back(index.Locate(p));
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&, k] {
      for (int round = 0; round < 5; ++round) {
        for (std::size_t i = 0; i < points.size(); ++i) mismatches[k] += index.Locate(points[i]) != want[i];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

}  // namespace
}  // namespace civicgrid::geo
