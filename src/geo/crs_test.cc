#include "geo/crs.h"

#include <cmath>
#include <numbers>

#include <gtest/gtest.h>

namespace civicgrid::geo {
namespace {

// Published pairs. Each value is copied from the named source; none is computed here.
struct Reference {
  LonLat from;
  LonLat to;
  const char* where;
};

// WGS-84 -> GCJ-02 pairs from the eviltransform project's own test suite (googollee/eviltransform,
// go/transform_test.go, also used by its PHP port), given there as (lat, lng). The Go implementation
// arranges the same formulas differently, so agreement is to rounding, not bit for bit.
const Reference kEviltransformWgsToGcj[] = {
    {{121.5272106, 31.1774276}, {121.531541859215, 31.17530398364597}, "shanghai"},
    {{113.912316, 22.543847}, {113.9171764808363, 22.540796131694766}, "shenzhen"},
    {{116.377817, 39.911954}, {116.38404722455657, 39.91334545536069}, "beijing"},
};

// From the README and test/app.js of wandergis/coordtransform (JavaScript), all for input (116.404,
// 39.915). Its gcj02towgs84 value is the one-step approximation, so it is deliberately not used.
const LonLat kWandergisInput{116.404, 39.915};
const LonLat kWandergisWgsToGcj{116.41024449916938, 39.91640428150164};
const LonLat kWandergisGcjToBd{116.41036949371029, 39.92133699351021};
const LonLat kWandergisBdToGcj{116.39762729119315, 39.90865673957631};

// 1e-9 degrees is about 0.1 mm: far tighter than any use, loose enough for reordered arithmetic.
constexpr double kTight = 1e-9;

void ExpectNear(LonLat got, LonLat want, double tolerance, const char* what) {
  EXPECT_NEAR(got.lon, want.lon, tolerance) << what;
  EXPECT_NEAR(got.lat, want.lat, tolerance) << what;
}

TEST(ParseCrsTest, AcceptsKnownNamesInAnyCase) {
  EXPECT_EQ(ParseCrs("wgs84"), Crs::kWgs84);
  EXPECT_EQ(ParseCrs("WGS84"), Crs::kWgs84);
  EXPECT_EQ(ParseCrs("gcj02"), Crs::kGcj02);
  EXPECT_EQ(ParseCrs("Gcj02"), Crs::kGcj02);
  EXPECT_EQ(ParseCrs("bd09"), Crs::kBd09);
  EXPECT_EQ(ParseCrs("BD09"), Crs::kBd09);
}

TEST(ParseCrsTest, RejectsEverythingElse) {
  EXPECT_EQ(ParseCrs(""), std::nullopt);
  EXPECT_EQ(ParseCrs("wgs-84"), std::nullopt);
  EXPECT_EQ(ParseCrs("wgs84 "), std::nullopt);
  EXPECT_EQ(ParseCrs("wgs8"), std::nullopt);
  EXPECT_EQ(ParseCrs("bd09ll"), std::nullopt);
  EXPECT_EQ(ParseCrs("epsg:4326"), std::nullopt);
}

TEST(OutOfChinaTest, UsesThePublishedRectangle) {
  EXPECT_FALSE(OutOfChina({116.404, 39.915}));
  EXPECT_TRUE(OutOfChina({2.3522, 48.8566}));  // Paris
  EXPECT_TRUE(OutOfChina({0, 0}));
  // The rectangle's edges are inside.
  EXPECT_FALSE(OutOfChina({72.004, 30}));
  EXPECT_TRUE(OutOfChina({72.0039, 30}));
  EXPECT_FALSE(OutOfChina({137.8347, 30}));
  EXPECT_TRUE(OutOfChina({137.8348, 30}));
  EXPECT_FALSE(OutOfChina({100, 0.8293}));
  EXPECT_TRUE(OutOfChina({100, 0.8292}));
  EXPECT_FALSE(OutOfChina({100, 55.8271}));
  EXPECT_TRUE(OutOfChina({100, 55.8272}));
}

TEST(Gcj02Test, MatchesEviltransformReferences) {
  for (const Reference& ref : kEviltransformWgsToGcj) {
    ExpectNear(Gcj02FromWgs84(ref.from), ref.to, kTight, ref.where);
  }
}

TEST(Gcj02Test, MatchesWandergisReference) {
  ExpectNear(Gcj02FromWgs84(kWandergisInput), kWandergisWgsToGcj, kTight, "wandergis");
}

TEST(Gcj02Test, ExactInverseRecoversPublishedWgs84) {
  for (const Reference& ref : kEviltransformWgsToGcj) {
    ExpectNear(Wgs84FromGcj02(ref.to), ref.from, kTight, ref.where);
  }
  ExpectNear(Wgs84FromGcj02(kWandergisWgsToGcj), kWandergisInput, kTight, "wandergis");
}

TEST(Gcj02Test, RoundTripsAcrossChinaWithinNanodegree) {
  double worst = 0;
  for (double lon = 73.5; lon <= 135.0; lon += 1.37) {
    for (double lat = 3.9; lat <= 53.5; lat += 0.91) {
      const LonLat gcj{lon, lat};
      const LonLat back = Gcj02FromWgs84(Wgs84FromGcj02(gcj));
      worst = std::max({worst, std::abs(back.lon - gcj.lon), std::abs(back.lat - gcj.lat)});
      const LonLat wgs{lon, lat};
      const LonLat again = Wgs84FromGcj02(Gcj02FromWgs84(wgs));
      worst = std::max({worst, std::abs(again.lon - wgs.lon), std::abs(again.lat - wgs.lat)});
    }
  }
  EXPECT_LT(worst, kTight);
}

TEST(Gcj02Test, ExactInverseBeatsOneStepApproximation) {
  // wandergis's gcj02towgs84 result is the one-step approximation: converted forward again it misses
  // the input by about 6 cm here (up to ~5 m elsewhere in China); the exact inverse does not.
  const LonLat one_step{116.39775550083061, 39.91359571849836};
  EXPECT_GT(DistanceMeters(Gcj02FromWgs84(one_step), kWandergisInput), 0.03);
  const LonLat exact = Wgs84FromGcj02(kWandergisInput);
  ExpectNear(Gcj02FromWgs84(exact), kWandergisInput, kTight, "exact");
  EXPECT_GT(DistanceMeters(exact, one_step), 0.03);
}

TEST(Gcj02Test, IdentityOutOfChina) {
  const LonLat paris{2.3522, 48.8566};
  const LonLat new_york{-74.006, 40.7128};
  for (LonLat p : {paris, new_york, LonLat{0, 0}, LonLat{150, 40}, LonLat{100, 60}}) {
    const LonLat gcj = Gcj02FromWgs84(p);
    EXPECT_EQ(gcj.lon, p.lon);
    EXPECT_EQ(gcj.lat, p.lat);
    const LonLat wgs = Wgs84FromGcj02(p);
    EXPECT_EQ(wgs.lon, p.lon);
    EXPECT_EQ(wgs.lat, p.lat);
  }
}

TEST(Bd09Test, MatchesWandergisReferences) {
  ExpectNear(Bd09FromGcj02(kWandergisInput), kWandergisGcjToBd, kTight, "gcj02 -> bd09");
  ExpectNear(Gcj02FromBd09(kWandergisInput), kWandergisBdToGcj, kTight, "bd09 -> gcj02");
}

TEST(Bd09Test, RoundTripStaysWithinTheFormulasOwnError) {
  // Baidu's published inverse is approximate: its round trip drifts by up to 1.8e-6 degrees in China.
  double worst = 0;
  for (double lon = 73.5; lon <= 135.0; lon += 1.37) {
    for (double lat = 3.9; lat <= 53.5; lat += 0.91) {
      const LonLat gcj{lon, lat};
      const LonLat back = Gcj02FromBd09(Bd09FromGcj02(gcj));
      worst = std::max({worst, std::abs(back.lon - gcj.lon), std::abs(back.lat - gcj.lat)});
    }
  }
  EXPECT_LT(worst, 5e-6);
}

TEST(CrsDispatchTest, ToAndFromWgs84) {
  const LonLat wgs{121.5272106, 31.1774276};
  for (Crs crs : {Crs::kWgs84, Crs::kGcj02, Crs::kBd09}) {
    const LonLat there = FromWgs84(wgs, crs);
    ExpectNear(ToWgs84(there, crs), wgs, crs == Crs::kBd09 ? 5e-6 : kTight, "round trip");
  }
  const LonLat gcj = FromWgs84(wgs, Crs::kGcj02);
  ExpectNear(gcj, Gcj02FromWgs84(wgs), 0, "gcj02");
  ExpectNear(FromWgs84(wgs, Crs::kBd09), Bd09FromGcj02(gcj), 0, "bd09");
  ExpectNear(FromWgs84(wgs, Crs::kWgs84), wgs, 0, "wgs84");
  ExpectNear(ToWgs84(gcj, Crs::kGcj02), Wgs84FromGcj02(gcj), 0, "to wgs84");
}

TEST(DistanceTest, Haversine) {
  constexpr double kR = 6371008.8;
  const double one_degree = kR * std::numbers::pi / 180.0;  // 111194.93 m along a great circle
  EXPECT_DOUBLE_EQ(DistanceMeters({10, 20}, {10, 20}), 0);
  EXPECT_NEAR(DistanceMeters({0, 0}, {0, 1}), one_degree, 1e-6);
  EXPECT_NEAR(DistanceMeters({0, 0}, {1, 0}), one_degree, 1e-6);
  EXPECT_NEAR(DistanceMeters({0, 0}, {90, 0}), kR * std::numbers::pi / 2, 1e-6);
  EXPECT_NEAR(DistanceMeters({0, 0}, {180, 0}), kR * std::numbers::pi, 1e-6);
  EXPECT_NEAR(DistanceMeters({0, 90}, {123, -90}), kR * std::numbers::pi, 1e-6);
  // A parallel shrinks by cos(latitude): 1 degree of longitude at 60N is about half a degree.
  EXPECT_NEAR(DistanceMeters({0, 60}, {1, 60}), one_degree / 2, 10);
  const LonLat a{116.38, 39.91};
  const LonLat b{121.47, 31.23};
  EXPECT_DOUBLE_EQ(DistanceMeters(a, b), DistanceMeters(b, a));
}

}  // namespace
}  // namespace civicgrid::geo
