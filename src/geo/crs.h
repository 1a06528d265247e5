// Coordinate reference systems used by Chinese map providers, and conversions between them.
//
// GCJ-02 ("Mars coordinates") is the obfuscated datum mandated for maps published in China; BD-09 is
// Baidu's further offset of GCJ-02. Residents and map widgets hand us points in either, while grids
// are stored in WGS-84, so everything entering the server is normalised with ToWgs84.
#pragma once

#include <optional>
#include <string_view>

namespace civicgrid::geo {

// A position in degrees. Longitude first, as in GeoJSON.
struct LonLat {
  double lon = 0;
  double lat = 0;
};

enum class Crs { kWgs84, kGcj02, kBd09 };

// Accepts "wgs84", "gcj02" and "bd09" in any letter case; anything else is nullopt.
std::optional<Crs> ParseCrs(std::string_view name);

// The published rectangle test of the GCJ-02 formulas. It is deliberately crude (it covers parts of
// neighbouring countries and misses nothing in China); it is what every client implementation uses, so
// matching it matters more than matching the real border.
bool OutOfChina(LonLat p);

// The published ("eviltransform") WGS-84 -> GCJ-02 formulas; identity when OutOfChina(p).
LonLat Gcj02FromWgs84(LonLat p);

// The exact inverse of Gcj02FromWgs84, found by fixed-point iteration to well under 1e-9 degrees (the
// common one-step approximation is off by up to about 5 m in the north-east). Identity when OutOfChina(p).
LonLat Wgs84FromGcj02(LonLat p);

// Baidu's published GCJ-02 -> BD-09 formulas. They apply everywhere, without an out-of-China test.
LonLat Bd09FromGcj02(LonLat p);

// Baidu's published BD-09 -> GCJ-02 formulas. This is not an exact inverse of Bd09FromGcj02: a round
// trip drifts by up to about 2e-6 degrees (20 cm) in China, which is what every other client gets too.
LonLat Gcj02FromBd09(LonLat p);

LonLat ToWgs84(LonLat p, Crs from);
LonLat FromWgs84(LonLat p, Crs to);

// Great-circle distance by the haversine formula on a sphere of the mean Earth radius 6371008.8 m.
double DistanceMeters(LonLat a, LonLat b);

}  // namespace civicgrid::geo
