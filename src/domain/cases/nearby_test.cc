#include "domain/cases/nearby.h"

#include <gtest/gtest.h>

namespace civicgrid::cases {
namespace {

cases::Case At(std::int64_t id, double lat, double lon, std::string category, cases::CaseStatus status,
               std::int64_t version = 1) {
  cases::Case c;
  c.id = cases::CaseId(id);
  c.version = version;
  c.status = status;
  c.origin.category = std::move(category);
  c.origin.location = cases::GeoPoint{lat, lon};
  c.created_at = *ParseTime("2026-11-24T09:00:00+08:00");
  return c;
}

TEST(OpenCaseIndex, NearestOpenCasesOfTheCategory) {
  OpenCaseIndex index;
  const double lat = 33.77, lon = 119.80;
  index.Apply(nullptr, At(1, lat, lon, "01001", cases::CaseStatus::kReceived));
  index.Apply(nullptr, At(2, lat + 0.0009, lon, "01001", cases::CaseStatus::kDispatched));  // ~100 m north
  index.Apply(nullptr, At(3, lat + 0.01, lon, "01001", cases::CaseStatus::kReceived));      // ~1.1 km
  index.Apply(nullptr, At(4, lat, lon + 0.0005, "06001", cases::CaseStatus::kReceived));    // other category
  const TimePoint since{};
  auto hits = index.Near({lat + 0.0001, lon}, 200, "01", since, 10);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].id, cases::CaseId(1));
  EXPECT_EQ(hits[1].id, cases::CaseId(2));
  EXPECT_NEAR(hits[1].meters, 89, 3);
  EXPECT_EQ(index.Near({lat, lon}, 2000, "", since, 10).size(), 4u);
  // A case that closes leaves; an older change arriving late does not bring it back.
  index.Apply(nullptr, At(1, lat, lon, "01001", cases::CaseStatus::kClosed, 5));
  EXPECT_EQ(index.Near({lat, lon}, 50, "01", since, 10).size(), 0u);
  index.Apply(nullptr, At(2, lat + 0.0009, lon, "01001", cases::CaseStatus::kAccepted, 3));
  index.Apply(nullptr, At(2, lat + 0.0009, lon, "01001", cases::CaseStatus::kDispatched, 2));
  EXPECT_EQ(index.size(), 3u);
  // Since: only recent cases.
  EXPECT_EQ(index.Near({lat, lon}, 2000, "", *ParseTime("2026-12-01T00:00:00+08:00"), 10).size(), 0u);
}

TEST(TextSimilarity, ChineseBigramsAndWords) {
  EXPECT_GT(TextSimilarity("人民路井盖破损", "人民路口井盖破损有危险"), 0.5);
  EXPECT_LT(TextSimilarity("人民路井盖破损", "小区噪音扰民"), 0.1);
  EXPECT_GT(TextSimilarity("Broken manhole cover", "manhole cover broken again"), 0.5);
  EXPECT_EQ(TextSimilarity("", "x"), 0);
}

}  // namespace
}  // namespace civicgrid::cases
