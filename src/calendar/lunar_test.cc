#include "calendar/lunar.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace civicgrid::calendar::lunar {
namespace {

std::string Iso(Date d) {
  const std::chrono::year_month_day ymd{d};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

// 正月初一 2025–2099 as the Hong Kong Observatory's and the Purple Mountain Observatory's tables give them, typed
// in by hand (and checked against the independent table of Debian's python3-lunardate).
constexpr const char* kNewYear[] = {
    "2025-01-29", "2026-02-17", "2027-02-06", "2028-01-26", "2029-02-13", "2030-02-03", "2031-01-23", "2032-02-11",
    "2033-01-31", "2034-02-19", "2035-02-08", "2036-01-28", "2037-02-15", "2038-02-04", "2039-01-24", "2040-02-12",
    "2041-02-01", "2042-01-22", "2043-02-10", "2044-01-30", "2045-02-17", "2046-02-06", "2047-01-26", "2048-02-14",
    "2049-02-02", "2050-01-23", "2051-02-11", "2052-02-01", "2053-02-19", "2054-02-08", "2055-01-28", "2056-02-15",
    "2057-02-04", "2058-01-24", "2059-02-12", "2060-02-02", "2061-01-21", "2062-02-09", "2063-01-29", "2064-02-17",
    "2065-02-05", "2066-01-26", "2067-02-14", "2068-02-03", "2069-01-23", "2070-02-11", "2071-01-31", "2072-02-19",
    "2073-02-07", "2074-01-27", "2075-02-15", "2076-02-05", "2077-01-24", "2078-02-12", "2079-02-02", "2080-01-22",
    "2081-02-09", "2082-01-29", "2083-02-17", "2084-02-06", "2085-01-26", "2086-02-14", "2087-02-03", "2088-01-24",
    "2089-02-10", "2090-01-30", "2091-02-18", "2092-02-07", "2093-01-27", "2094-02-15", "2095-02-05", "2096-01-25",
    "2097-02-12", "2098-02-01", "2099-01-21",
};

// 清明, 端午 (五月初五) and 中秋 (八月十五), 2025–2060.
struct Festivals {
  const char* qingming;
  const char* dragon_boat;
  const char* mid_autumn;
};
constexpr Festivals kFestivals[] = {
    {"2025-04-04", "2025-05-31", "2025-10-06"}, {"2026-04-05", "2026-06-19", "2026-09-25"},
    {"2027-04-05", "2027-06-09", "2027-09-15"}, {"2028-04-04", "2028-05-28", "2028-10-03"},
    {"2029-04-04", "2029-06-16", "2029-09-22"}, {"2030-04-05", "2030-06-05", "2030-09-12"},
    {"2031-04-05", "2031-06-24", "2031-10-01"}, {"2032-04-04", "2032-06-12", "2032-09-19"},
    {"2033-04-04", "2033-06-01", "2033-09-08"}, {"2034-04-05", "2034-06-20", "2034-09-27"},
    {"2035-04-05", "2035-06-10", "2035-09-16"}, {"2036-04-04", "2036-05-30", "2036-10-04"},
    {"2037-04-04", "2037-06-18", "2037-09-24"}, {"2038-04-05", "2038-06-07", "2038-09-13"},
    {"2039-04-05", "2039-05-27", "2039-10-02"}, {"2040-04-04", "2040-06-14", "2040-09-20"},
    {"2041-04-04", "2041-06-03", "2041-09-10"}, {"2042-04-04", "2042-06-22", "2042-09-28"},
    {"2043-04-05", "2043-06-11", "2043-09-17"}, {"2044-04-04", "2044-05-31", "2044-10-05"},
    {"2045-04-04", "2045-06-19", "2045-09-25"}, {"2046-04-04", "2046-06-08", "2046-09-15"},
    {"2047-04-05", "2047-05-29", "2047-10-04"}, {"2048-04-04", "2048-06-15", "2048-09-22"},
    {"2049-04-04", "2049-06-04", "2049-09-11"}, {"2050-04-04", "2050-06-23", "2050-09-30"},
    {"2051-04-05", "2051-06-13", "2051-09-19"}, {"2052-04-04", "2052-06-01", "2052-09-07"},
    {"2053-04-04", "2053-06-20", "2053-09-26"}, {"2054-04-04", "2054-06-10", "2054-09-16"},
    {"2055-04-05", "2055-05-30", "2055-10-05"}, {"2056-04-04", "2056-06-17", "2056-09-24"},
    {"2057-04-04", "2057-06-06", "2057-09-13"}, {"2058-04-04", "2058-06-25", "2058-10-02"},
    {"2059-04-05", "2059-06-14", "2059-09-21"}, {"2060-04-04", "2060-06-03", "2060-09-09"},
};

TEST(Lunar, NewYearAgreesWithThePublishedTable2025To2099) {
  int year = 2025;
  for (const char* expected : kNewYear) {
    EXPECT_EQ(Iso(NewYear(year)), expected) << year;
    ++year;
  }
  EXPECT_EQ(year, 2100);
}

TEST(Lunar, QingmingDragonBoatAndMidAutumnAgreeWithThePublishedTable) {
  int year = 2025;
  for (const auto& f : kFestivals) {
    EXPECT_EQ(Iso(Qingming(year)), f.qingming) << year;
    EXPECT_EQ(Iso(SolarDate(year, 5, 5)), f.dragon_boat) << year;
    EXPECT_EQ(Iso(SolarDate(year, 8, 15)), f.mid_autumn) << year;
    ++year;
  }
  EXPECT_EQ(year, 2061);
}

TEST(Lunar, LeapMonthsFallWhereTheTablesPutThem) {
  // 2025 闰六月 (from 2025-07-25), 2028 闰五月, 2031 闰三月, and 2033's 闰十一月 (the "2033 problem": the
  // first month without a principal term after the 11th, in the sui that ends in 2034).
  auto leap_of = [](int year) {
    for (const auto& m : MonthsOfSui(year))
      if (m.leap) return std::pair{m.number, Iso(m.first)};
    return std::pair{0, std::string()};
  };
  EXPECT_EQ(leap_of(2025), (std::pair{6, std::string("2025-07-25")}));
  EXPECT_EQ(leap_of(2028).first, 5);
  EXPECT_EQ(leap_of(2031).first, 3);
  EXPECT_EQ(leap_of(2034), (std::pair{11, std::string("2033-12-22")}));
  EXPECT_EQ(leap_of(2027).first, 0);  // a common year
  for (int y = 2025; y <= 2099; ++y) {
    const auto& months = MonthsOfSui(y);
    ASSERT_TRUE(months.size() == 12 || months.size() == 13) << y;
    for (const auto& m : months) EXPECT_TRUE(m.days == 29 || m.days == 30) << y << " month " << m.number;
  }
}

TEST(Lunar, NewYearsEveIsTheLastDayOfTheTwelfthMonth) {
  EXPECT_EQ(Iso(NewYearsEve(2025)), "2025-01-28");
  EXPECT_EQ(Iso(NewYearsEve(2026)), "2026-02-16");  // 腊月廿九: the 12th month of 2025 has 29 days
  EXPECT_EQ(Iso(NewYearsEve(2027)), "2027-02-05");
}

TEST(Lunar, AstronomyMatchesMeeusWorkedExamples) {
  // Meeus example 49.a: the new moon of 1977 February, JDE 2443192.65118.
  EXPECT_NEAR(NewMoonJde(-283), 2443192.65118, 1e-5);
  // Example 25.b: 1992 October 13.0 TD, apparent longitude 199°54′21.818″ (VSOP87 in full; the truncated
  // series gives it to about a second of arc).
  EXPECT_NEAR(SunApparentLongitude(2448908.5), 199.0 + 54.0 / 60 + 21.818 / 3600, 2.0 / 3600);
  // The solar term solves back to its longitude.
  EXPECT_NEAR(SunApparentLongitude(SolarTermJde(2030, 270)), 270.0, 1e-6);
  EXPECT_NEAR(DeltaTSeconds(2025), 74.5, 0.5);  // Espenak & Meeus' extrapolation (measured: about 69 s)
}

}  // namespace
}  // namespace civicgrid::calendar::lunar
