#include "geo/crs.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numbers>

namespace civicgrid::geo {
namespace {

constexpr double kPi = std::numbers::pi;
// Krasovsky 1940 ellipsoid, as fixed by the published GCJ-02 formulas.
constexpr double kKrasovskyA = 6378245.0;
constexpr double kKrasovskyEe = 0.00669342162296594323;
// Baidu's angular scale factor.
constexpr double kBaiduXPi = kPi * 3000.0 / 180.0;
constexpr double kEarthRadiusMeters = 6371008.8;
// Residual at which the GCJ-02 inverse stops: a few ulps at longitudes around 100, far below 1e-9.
constexpr double kInverseTolerance = 1e-12;
// Each step shrinks the error by about 1e-3 (the offset's slope), so this is never reached in China.
constexpr int kInverseMaxSteps = 30;

double ShiftLat(double x, double y) {
  double shift = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * std::sqrt(std::abs(x));
  shift += (20.0 * std::sin(6.0 * x * kPi) + 20.0 * std::sin(2.0 * x * kPi)) * 2.0 / 3.0;
  shift += (20.0 * std::sin(y * kPi) + 40.0 * std::sin(y / 3.0 * kPi)) * 2.0 / 3.0;
  shift += (160.0 * std::sin(y / 12.0 * kPi) + 320.0 * std::sin(y / 30.0 * kPi)) * 2.0 / 3.0;
  return shift;
}

double ShiftLon(double x, double y) {
  double shift = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * std::sqrt(std::abs(x));
  shift += (20.0 * std::sin(6.0 * x * kPi) + 20.0 * std::sin(2.0 * x * kPi)) * 2.0 / 3.0;
  shift += (20.0 * std::sin(x * kPi) + 40.0 * std::sin(x / 3.0 * kPi)) * 2.0 / 3.0;
  shift += (150.0 * std::sin(x / 12.0 * kPi) + 300.0 * std::sin(x / 30.0 * kPi)) * 2.0 / 3.0;
  return shift;
}

// The GCJ-02 offset (degrees) to add to a WGS-84 point inside China. The shift functions give metres
// on the Krasovsky ellipsoid, converted to degrees with the meridian and parallel radii at p.
LonLat GcjOffset(LonLat p) {
  const double x = p.lon - 105.0;
  const double y = p.lat - 35.0;
  const double rad_lat = p.lat / 180.0 * kPi;
  const double sin_lat = std::sin(rad_lat);
  const double magic = 1.0 - kKrasovskyEe * sin_lat * sin_lat;
  const double sqrt_magic = std::sqrt(magic);
  const double meridian_radius = kKrasovskyA * (1.0 - kKrasovskyEe) / (magic * sqrt_magic);
  const double parallel_radius = kKrasovskyA / sqrt_magic * std::cos(rad_lat);
  return {ShiftLon(x, y) * 180.0 / (parallel_radius * kPi), ShiftLat(x, y) * 180.0 / (meridian_radius * kPi)};
}

}  // namespace

std::optional<Crs> ParseCrs(std::string_view name) {
  auto equals = [name](std::string_view want) {
    return std::equal(name.begin(), name.end(), want.begin(), want.end(),
                      [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
  };
  if (equals("wgs84")) return Crs::kWgs84;
  if (equals("gcj02")) return Crs::kGcj02;
  if (equals("bd09")) return Crs::kBd09;
  return std::nullopt;
}

bool OutOfChina(LonLat p) { return p.lon < 72.004 || p.lon > 137.8347 || p.lat < 0.8293 || p.lat > 55.8271; }

LonLat Gcj02FromWgs84(LonLat p) {
  if (OutOfChina(p)) return p;
  const LonLat offset = GcjOffset(p);
  return {p.lon + offset.lon, p.lat + offset.lat};
}

LonLat Wgs84FromGcj02(LonLat p) {
  if (OutOfChina(p)) return p;
  // Solve Gcj02FromWgs84(w) == p. The offset varies slowly (its slope is around 1e-3), so the map
  // w -> w - (Gcj02FromWgs84(w) - p) is a strong contraction and converges in a handful of steps.
  LonLat w = p;
  for (int step = 0; step < kInverseMaxSteps; ++step) {
    const LonLat g = Gcj02FromWgs84(w);
    const double d_lon = g.lon - p.lon;
    const double d_lat = g.lat - p.lat;
    w.lon -= d_lon;
    w.lat -= d_lat;
    if (std::abs(d_lon) < kInverseTolerance && std::abs(d_lat) < kInverseTolerance) break;
  }
  return w;
}

LonLat Bd09FromGcj02(LonLat p) {
  const double z = std::sqrt(p.lon * p.lon + p.lat * p.lat) + 0.00002 * std::sin(p.lat * kBaiduXPi);
  const double theta = std::atan2(p.lat, p.lon) + 0.000003 * std::cos(p.lon * kBaiduXPi);
  return {z * std::cos(theta) + 0.0065, z * std::sin(theta) + 0.006};
}

LonLat Gcj02FromBd09(LonLat p) {
  const double x = p.lon - 0.0065;
  const double y = p.lat - 0.006;
  const double z = std::sqrt(x * x + y * y) - 0.00002 * std::sin(y * kBaiduXPi);
  const double theta = std::atan2(y, x) - 0.000003 * std::cos(x * kBaiduXPi);
  return {z * std::cos(theta), z * std::sin(theta)};
}

LonLat ToWgs84(LonLat p, Crs from) {
  switch (from) {
    case Crs::kWgs84: return p;
    case Crs::kGcj02: return Wgs84FromGcj02(p);
    case Crs::kBd09: return Wgs84FromGcj02(Gcj02FromBd09(p));
  }
  return p;
}

LonLat FromWgs84(LonLat p, Crs to) {
  switch (to) {
    case Crs::kWgs84: return p;
    case Crs::kGcj02: return Gcj02FromWgs84(p);
    case Crs::kBd09: return Bd09FromGcj02(Gcj02FromWgs84(p));
  }
  return p;
}

double DistanceMeters(LonLat a, LonLat b) {
  constexpr double kRad = kPi / 180.0;
  const double d_lat = (b.lat - a.lat) * kRad;
  const double d_lon = (b.lon - a.lon) * kRad;
  const double s_lat = std::sin(d_lat / 2.0);
  const double s_lon = std::sin(d_lon / 2.0);
  double h = s_lat * s_lat + std::cos(a.lat * kRad) * std::cos(b.lat * kRad) * s_lon * s_lon;
  // Rounding can push h a hair above 1 for antipodal points; asin would then return NaN.
  h = std::min(1.0, h);
  return 2.0 * kEarthRadiusMeters * std::asin(std::sqrt(h));
}

}  // namespace civicgrid::geo
