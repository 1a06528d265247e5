#include "reference/geojson.h"

#include <gtest/gtest.h>

#include "reference/directory.h"

namespace civicgrid::reference {
namespace {

const char* kSquare = R"([[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[6,4],[6,6],[4,6],[4,4]]])";

std::string Feature(const std::string& code, const std::string& kind, const std::string& parent,
                    const std::string& geometry) {
  std::string f =
      R"({"type":"Feature","properties":{"code":")" + code + R"(","name":"n)" + code + R"(","kind":")" + kind + "\"";
  if (!parent.empty()) f += R"(,"parent":")" + parent + "\"";
  f += "},\"geometry\":" + (geometry.empty() ? std::string("null") : geometry) + "}";
  return f;
}

std::string Collection(const std::vector<std::string>& features) {
  std::string s = R"({"type":"FeatureCollection","features":[)";
  for (size_t i = 0; i < features.size(); ++i) s += (i ? "," : "") + features[i];
  return s + "]}";
}

TEST(GeoJson, ParentsInAnyOrderAndHolesRespected) {
  auto regions = ParseRegionCollection(
      Collection({Feature("g1", "grid", "t1", std::string(R"({"type":"Polygon","coordinates":)") + kSquare + "}"),
                  Feature("t1", "town", "c1", ""), Feature("c1", "county", "", "")}),
      {});
  ASSERT_TRUE(regions.ok()) << regions.error().message;
  auto dir = Directory::Build(*regions, {}, {}, {});
  ASSERT_TRUE(dir.ok()) << dir.error().message;
  ASSERT_TRUE((*dir)->LocateGrid({1, 1}));
  EXPECT_EQ((*dir)->LocateGrid({1, 1})->code, "g1");
  EXPECT_FALSE((*dir)->LocateGrid({5, 5}));   // in the hole
  EXPECT_TRUE((*dir)->LocateGrid({4, 5}));    // on the hole's edge
  EXPECT_TRUE((*dir)->LocateGrid({10, 10}));  // on a vertex
  EXPECT_EQ((*dir)->PathOf("g1"), "/c1/t1/g1/");
}

TEST(GeoJson, MultiPolygon) {
  auto regions = ParseRegionCollection(
      Collection({Feature("g1", "grid", "", R"({"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],
        [[[5,5],[6,5],[6,6],[5,5]]]]})")}),
      {});
  ASSERT_TRUE(regions.ok()) << regions.error().message;
  auto dir = Directory::Build(*regions, {}, {}, {});
  ASSERT_TRUE(dir.ok());
  EXPECT_TRUE((*dir)->LocateGrid({5.9, 5.5}));
  EXPECT_FALSE((*dir)->LocateGrid({3, 3}));
}

TEST(GeoJson, ErrorsNameTheFeature) {
  auto unknown_parent = ParseRegionCollection(Collection({Feature("t1", "town", "nowhere", "")}), {});
  ASSERT_FALSE(unknown_parent.ok());
  EXPECT_NE(unknown_parent.error().message.find("t1"), std::string::npos);
  EXPECT_NE(unknown_parent.error().message.find("nowhere"), std::string::npos);
  EXPECT_TRUE(ParseRegionCollection(Collection({Feature("t1", "town", "c9", "")}), {"c9"}).ok());

  auto open_ring = ParseRegionCollection(
      Collection({Feature("g7", "grid", "", R"({"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]})")}), {});
  ASSERT_FALSE(open_ring.ok());
  EXPECT_NE(open_ring.error().message.find("feature 0 (g7)"), std::string::npos) << open_ring.error().message;
  EXPECT_EQ(open_ring.error().field, "features[0].geometry");

  auto bowtie = ParseRegionCollection(
      Collection({Feature("g8", "grid", "", R"({"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]})")}),
      {});
  EXPECT_FALSE(bowtie.ok());
  EXPECT_FALSE(ParseRegionCollection(Collection({Feature("g9", "grid", "", "")}), {}).ok());  // a grid needs a shape
  EXPECT_FALSE(ParseRegionCollection(Collection({Feature("x", "planet", "", "")}), {}).ok());
  EXPECT_FALSE(
      ParseRegionCollection(Collection({Feature("a", "town", "b", ""), Feature("b", "town", "a", "")}), {}).ok());
  EXPECT_FALSE(
      ParseRegionCollection(Collection({Feature("a", "town", "", ""), Feature("a", "town", "", "")}), {}).ok());
  EXPECT_FALSE(ParseRegionCollection("{\"type\":\"Feature\"}", {}).ok());
  EXPECT_FALSE(ParseRegionCollection("not json", {}).ok());
}

TEST(GeoJson, ImportChecksHolesAndLimits) {
  const std::string outside = R"({"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]],)"
                              R"([[2,0],[3,0],[3,1],[2,1],[2,0]]]})";
  auto shape = ParseGeometry(outside);
  ASSERT_FALSE(shape.ok());
  EXPECT_EQ(shape.error().message, "geometry: hole 1 lies outside the outer ring");
  // What the store holds was checked on import: read back without the checks (a reload repeats none).
  EXPECT_TRUE(ParseStoredGeometry(outside).ok());
  // A ring over the per-ring limit is refused before any work on it.
  std::string ring = "[";
  for (std::size_t k = 0; k <= geo::kMaxRingPositions; ++k)
    ring += (k ? "," : "") + std::string(k % 2 ? "[0.1," : "[0,") + std::to_string(k * 1e-6) + "]";
  ring += "]";
  auto big = ParseGeometry(R"({"type":"Polygon","coordinates":[)" + ring + "]}");
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().message.find("at most 100000 positions"), std::string::npos) << big.error().message;
}

TEST(Directory, BrokenLineagesNameTheCycleAndTheRegionsBelowIt) {
  std::vector<Region> regions = {{"c", "county", RegionKind::kCounty, "", ""}, {"a", "a", RegionKind::kTown, "b", ""},
                                 {"b", "b", RegionKind::kTown, "a", ""},       {"g", "g", RegionKind::kGrid, "a", ""},
                                 {"o", "o", RegionKind::kTown, "nowhere", ""}, {"t", "t", RegionKind::kTown, "c", ""}};
  const auto broken = BrokenLineages(regions);
  ASSERT_EQ(broken.size(), 4u);
  EXPECT_EQ(broken.at("a"), "parents form a cycle: a → b → a");
  EXPECT_EQ(broken.at("b"), "parents form a cycle: a → b → a");
  EXPECT_EQ(broken.at("g"), "its ancestor a is left out");
  EXPECT_EQ(broken.at("o"), "region o has an unknown parent nowhere");
  // Strict: refused; with a list of faults: built from the sound part.
  EXPECT_FALSE(Directory::Build(regions, {}, {}, {}).ok());
  std::vector<std::string> faults;
  auto dir = Directory::Build(regions, {}, {}, {}, &faults);
  ASSERT_TRUE(dir.ok());
  EXPECT_EQ(faults.size(), 4u);
  EXPECT_EQ((*dir)->region_count(), 2u);
  EXPECT_EQ((*dir)->PathOf("t"), "/c/t/");
  EXPECT_FALSE((*dir)->FindRegion("a"));
}

}  // namespace
}  // namespace civicgrid::reference
