#include "geo/grid_index.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

// Boost 1.74's rtree reaches a header that Boost itself deprecated; the note it prints is noise.
#define BOOST_ALLOW_DEPRECATED_HEADERS
#include <boost/geometry/algorithms/disjoint.hpp>
#include <boost/geometry/geometries/box.hpp>
#include <boost/geometry/geometries/point.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <boost/iterator/function_output_iterator.hpp>

namespace civicgrid::geo {
namespace {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

using BgPoint = bg::model::point<double, 2, bg::cs::cartesian>;
using BgBox = bg::model::box<BgPoint>;
// A polygon's widened bounds and its index in Impl::parts.
using TreeValue = std::pair<BgBox, std::uint32_t>;
using Tree = bgi::rtree<TreeValue, bgi::rstar<16>>;

// Locate counts points within 1e-12 degrees of an edge as on it, and mapping a point to a bucket is off
// by at most a few ulps. Widening boxes and buckets by far more than both keeps every shortcut exact.
constexpr double kMargin = 1e-9;
constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
// About this many buckets per polygon: a bucket then holds about three candidates or none.
constexpr double kBucketsPerPart = 4.0;
// Buckets with more candidates than this (clustered or overlapping data) defer to the R-tree, which
// keeps lookups logarithmic however the shapes are distributed.
constexpr std::size_t kMaxListLength = 16;

// One member polygon of one entry: candidates are tested polygon by polygon.
struct Part {
  const Polygon* polygon;
  Box box;              // bounds widened by kMargin
  std::uint32_t entry;  // index into the id-sorted entries; smaller index means smaller id
};

enum class BucketKind : std::uint8_t { kSolid, kList, kTree };

struct Bucket {
  BucketKind kind = BucketKind::kTree;
  std::uint32_t answer = kNone;  // kSolid: the entry covering the whole bucket, or kNone
  std::uint32_t begin = 0;       // kList: range in Impl::candidates
  std::uint32_t end = 0;
};

BgBox ToBg(const Box& box) { return {BgPoint(box.min_lon, box.min_lat), BgPoint(box.max_lon, box.max_lat)}; }

// Conservative: true when segment a-b may touch the box. Misjudging a segment that grazes the box costs
// nothing, because the box is kMargin wider than the points it stands for.
bool SegmentMayTouch(LonLat a, LonLat b, const Box& box) {
  if (std::max(a.lon, b.lon) < box.min_lon || std::min(a.lon, b.lon) > box.max_lon ||
      std::max(a.lat, b.lat) < box.min_lat || std::min(a.lat, b.lat) > box.max_lat) {
    return false;
  }
  // With overlapping bounds, the segment misses the box only if all four corners are on one side.
  const double dx = b.lon - a.lon;
  const double dy = b.lat - a.lat;
  int positive = 0;
  int negative = 0;
  for (const LonLat c : {LonLat{box.min_lon, box.min_lat}, LonLat{box.max_lon, box.min_lat},
                         LonLat{box.min_lon, box.max_lat}, LonLat{box.max_lon, box.max_lat}}) {
    const double cross = dx * (c.lat - a.lat) - dy * (c.lon - a.lon);
    positive += cross > 0;
    negative += cross < 0;
  }
  return positive != 4 && negative != 4;
}

bool RingMayTouch(const Ring& ring, const Box& box) {
  for (std::size_t i = 0; i < ring.size(); ++i) {
    if (SegmentMayTouch(ring[i], ring[i + 1 == ring.size() ? 0 : i + 1], box)) return true;
  }
  return false;
}

bool EdgesMayTouch(const Polygon& polygon, const Box& box) {
  if (RingMayTouch(polygon.outer, box)) return true;
  return std::any_of(polygon.holes.begin(), polygon.holes.end(),
                     [&](const Ring& hole) { return RingMayTouch(hole, box); });
}

// The box test first: it rejects most candidates of a bucket without walking their edges.
bool PartCovers(const Part& part, LonLat p) {
  return part.box.Contains(p) && Locate(*part.polygon, p) != Where::kOutside;
}

// Bounds of a polygon's outer ring widened by kMargin, or nullopt for an empty ring.
std::optional<Box> WidenedBounds(const Polygon& polygon) {
  if (polygon.outer.empty()) return std::nullopt;
  Box box{polygon.outer[0].lon, polygon.outer[0].lat, polygon.outer[0].lon, polygon.outer[0].lat};
  for (const LonLat& p : polygon.outer) {
    box.min_lon = std::min(box.min_lon, p.lon);
    box.min_lat = std::min(box.min_lat, p.lat);
    box.max_lon = std::max(box.max_lon, p.lon);
    box.max_lat = std::max(box.max_lat, p.lat);
  }
  return Box{box.min_lon - kMargin, box.min_lat - kMargin, box.max_lon + kMargin, box.max_lat + kMargin};
}

}  // namespace

struct GridIndex::Impl {
  std::vector<Entry> entries;
  std::vector<Part> parts;
  Tree tree;
  // The speed layer: a uniform grid of buckets over `bounds`, row-major, nx by ny.
  Box bounds{0, 0, -1, -1};  // contains nothing until there is a part
  std::uint32_t nx = 0;
  std::uint32_t ny = 0;
  double bucket_width = 0;
  double bucket_height = 0;
  std::vector<Bucket> buckets;
  std::vector<std::uint32_t> candidates;  // part indices, each bucket's run sorted by entry

  explicit Impl(std::vector<Entry> input) : entries(std::move(input)) {
    // Sorting by id turns "smallest id wins" into "smallest index wins".
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.id < b.id; });
    std::vector<TreeValue> values;
    for (std::uint32_t e = 0; e < entries.size(); ++e) {
      for (const Polygon& polygon : entries[e].shape) {
        const std::optional<Box> box = WidenedBounds(polygon);
        if (!box) continue;  // an empty polygon covers nothing
        values.emplace_back(ToBg(*box), static_cast<std::uint32_t>(parts.size()));
        parts.push_back({&polygon, *box, e});
      }
    }
    // The range constructor bulk-loads (packs) the tree: faster to build and to query than inserts.
    tree = Tree(values.begin(), values.end());
    BuildBuckets();
  }

  void BuildBuckets() {
    if (parts.empty()) return;
    bounds = parts.front().box;
    for (const Part& part : parts) {
      bounds.min_lon = std::min(bounds.min_lon, part.box.min_lon);
      bounds.min_lat = std::min(bounds.min_lat, part.box.min_lat);
      bounds.max_lon = std::max(bounds.max_lon, part.box.max_lon);
      bounds.max_lat = std::max(bounds.max_lat, part.box.max_lat);
    }
    // Roughly square buckets; the margin makes width and height positive.
    const double width = bounds.max_lon - bounds.min_lon;
    const double height = bounds.max_lat - bounds.min_lat;
    const double target = kBucketsPerPart * static_cast<double>(parts.size());
    const double side = std::sqrt(width * height / target);
    auto count = [&](double extent) {
      return static_cast<std::uint32_t>(std::clamp(std::ceil(extent / side), 1.0, target));
    };
    nx = count(width);
    ny = count(height);
    bucket_width = width / nx;
    bucket_height = height / ny;
    buckets.resize(static_cast<std::size_t>(nx) * ny);
    std::vector<std::uint32_t> found;
    for (std::uint32_t by = 0; by < ny; ++by) {
      for (std::uint32_t bx = 0; bx < nx; ++bx) {
        const Box cell{bounds.min_lon + bx * bucket_width - kMargin, bounds.min_lat + by * bucket_height - kMargin,
                       bounds.min_lon + (bx + 1) * bucket_width + kMargin,
                       bounds.min_lat + (by + 1) * bucket_height + kMargin};
        found.clear();
        tree.query(bgi::intersects(ToBg(cell)), boost::make_function_output_iterator(
                                                    [&](const TreeValue& value) { found.push_back(value.second); }));
        std::sort(found.begin(), found.end(), [&](std::uint32_t a, std::uint32_t b) {
          return std::pair(parts[a].entry, a) < std::pair(parts[b].entry, b);
        });
        buckets[static_cast<std::size_t>(by) * nx + bx] = MakeBucket(cell, found);
      }
    }
  }

  Bucket MakeBucket(const Box& cell, const std::vector<std::uint32_t>& found) {
    Bucket bucket;
    const bool crossed = std::any_of(found.begin(), found.end(),
                                     [&](std::uint32_t k) { return EdgesMayTouch(*parts[k].polygon, cell); });
    if (!crossed) {
      // No edge comes near the bucket, so every candidate covers either all of it or none of it, and
      // the answer at the centre is the answer everywhere in it.
      bucket.kind = BucketKind::kSolid;
      const LonLat centre{(cell.min_lon + cell.max_lon) / 2, (cell.min_lat + cell.max_lat) / 2};
      for (std::uint32_t k : found) {
        if (geo::Locate(*parts[k].polygon, centre) != Where::kOutside) {
          bucket.answer = parts[k].entry;
          break;
        }
      }
    } else if (found.size() <= kMaxListLength) {
      bucket.kind = BucketKind::kList;
      bucket.begin = static_cast<std::uint32_t>(candidates.size());
      candidates.insert(candidates.end(), found.begin(), found.end());
      bucket.end = static_cast<std::uint32_t>(candidates.size());
    }
    return bucket;
  }

  // Index of the smallest-id entry covering p, or kNone.
  std::uint32_t Find(LonLat p) const {
    if (!bounds.Contains(p)) return kNone;  // also rejects NaN
    // Truncation can only err by one bucket at a border, which the buckets' margin absorbs.
    const auto bx = std::min(static_cast<std::uint32_t>((p.lon - bounds.min_lon) / bucket_width), nx - 1);
    const auto by = std::min(static_cast<std::uint32_t>((p.lat - bounds.min_lat) / bucket_height), ny - 1);
    const Bucket& bucket = buckets[static_cast<std::size_t>(by) * nx + bx];
    switch (bucket.kind) {
      case BucketKind::kSolid: return bucket.answer;
      case BucketKind::kList:
        // Sorted by entry, so the first cover is the smallest id.
        for (std::uint32_t k = bucket.begin; k < bucket.end; ++k) {
          if (PartCovers(parts[candidates[k]], p)) return parts[candidates[k]].entry;
        }
        return kNone;
      case BucketKind::kTree: break;
    }
    return FindInTree(p);
  }

  std::uint32_t FindInTree(LonLat p) const {
    std::uint32_t best = kNone;
    auto visit = [&](const TreeValue& value) {
      const Part& part = parts[value.second];
      if (part.entry < best && PartCovers(part, p)) best = part.entry;
    };
    tree.query(bgi::intersects(BgPoint(p.lon, p.lat)), boost::make_function_output_iterator(visit));
    return best;
  }
};

GridIndex::GridIndex(std::vector<Entry> entries) : impl_(std::make_unique<Impl>(std::move(entries))) {}
GridIndex::~GridIndex() = default;
GridIndex::GridIndex(GridIndex&& other) noexcept = default;
GridIndex& GridIndex::operator=(GridIndex&& other) noexcept = default;

std::optional<std::int64_t> GridIndex::Locate(LonLat p) const {
  if (!impl_) return std::nullopt;
  const std::uint32_t found = impl_->Find(p);
  if (found == kNone) return std::nullopt;
  return impl_->entries[found].id;
}

std::size_t GridIndex::size() const { return impl_ ? impl_->entries.size() : 0; }

}  // namespace civicgrid::geo
