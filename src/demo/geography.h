// The demo's territory: the three counties with their real towns and streets (data/yancheng-towns.csv), the
// named communities and estates (data/demo-places.csv), invented communities and villages, and synthetic grid
// polygons that tile each county without gaps or overlaps. Internal to src/demo.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "common/result.h"
#include "geo/polygon.h"
#include "reference/types.h"

namespace civicgrid::demo {

// The three counties: rectangles of roughly their real extent and place, adjusted so they do not overlap
// (Funing south, Binhai in the middle reaching the coast, Xiangshui north). The shapes are synthetic.
struct CountySpec {
  const char* code;
  const char* name;
  geo::Box box;
  geo::LonLat seat;  // the county town: the lattice is denser here and the urban streets sit around it
  int cols;          // lattice size: cols × rows grids, chosen for ~1,150 roughly square grids
  int rows;
  std::array<const char*, 5> urban;  // towns/streets of the county town (null-terminated)
};

extern const std::array<CountySpec, 3> kCounties;

// County → town/street → community/village → grid (with its polygon) → estate: counties and towns first, then
// communities, grids and estates. Deterministic for a seed.
Result<std::vector<reference::Region>> BuildRegions(std::uint64_t seed);

}  // namespace civicgrid::demo
