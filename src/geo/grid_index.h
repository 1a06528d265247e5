// Point -> grid lookup over the imported grid boundaries.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "geo/polygon.h"

namespace civicgrid::geo {

// Immutable after construction, so any number of threads may call Locate at once. The R-tree and the
// bucket grid live behind a pimpl so that including this header does not pull in Boost.Geometry.
class GridIndex {
 public:
  struct Entry {
    std::int64_t id;
    MultiPolygon shape;
  };

  explicit GridIndex(std::vector<Entry> entries);
  ~GridIndex();
  GridIndex(GridIndex&& other) noexcept;
  GridIndex& operator=(GridIndex&& other) noexcept;
  GridIndex(const GridIndex&) = delete;
  GridIndex& operator=(const GridIndex&) = delete;

  // The id of the grid covering p (WGS-84), or nullopt. A point covered by several grids (on a shared
  // edge, or where shapes overlap) resolves to the smallest id, so the answer is deterministic. Same
  // answer as testing Covers on every entry. A moved-from index locates nothing.
  std::optional<std::int64_t> Locate(LonLat p) const;

  std::size_t size() const;

 private:
  struct Impl;
  std::unique_ptr<const Impl> impl_;
};

}  // namespace civicgrid::geo
