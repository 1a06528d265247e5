#include "common/time.h"

#include <gtest/gtest.h>

namespace civicgrid {
namespace {

TEST(Time, FormatsInShanghaiTime) {
  auto t = ParseTime("2026-01-01T00:00:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(FormatTime(*t), "2026-01-01T08:00:00.000+08:00");
}

TEST(Time, ParsesOffsetsAndFractions) {
  EXPECT_EQ(ParseTime("2026-03-05T10:00:00.250+08:00"), ParseTime("2026-03-05T02:00:00.25Z"));
  EXPECT_EQ(ParseTime("2026-03-05"), ParseTime("2026-03-05T00:00:00+08:00"));
  EXPECT_EQ(ParseTime("2026-03-05T10:00:00-01:30"), ParseTime("2026-03-05T11:30:00Z"));
}

TEST(Time, RejectsMalformed) {
  for (auto bad : {"", "2026", "2026-13-01", "2026-02-30", "2026-01-01T25:00:00Z", "2026-01-01T10:00:00",
                   "2026-01-01T10:00:00+0800", "2026-01-01T10:00:00Zjunk", "yesterday"})
    EXPECT_FALSE(ParseTime(bad)) << bad;
}

TEST(Time, RoundTrips) {
  auto t = FromMillis(1790000000123);
  EXPECT_EQ(ParseTime(FormatTime(t)), t);
}

}  // namespace
}  // namespace civicgrid
