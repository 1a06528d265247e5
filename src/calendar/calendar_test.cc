#include "calendar/calendar.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace civicgrid::calendar {
namespace {

// The shipped calendar itself is under test: these dates are the State Council's notices for 2025 and 2026.
const WorkCalendar& Shipped() {
  static const WorkCalendar cal = [] {
    std::ifstream in(std::string(CIVICGRID_SOURCE_DIR) + "/data/holidays.csv");
    std::stringstream ss;
    ss << in.rdbuf();
    auto parsed = ParseHolidayCsv(ss.str());
    EXPECT_TRUE(parsed.ok());
    return parsed.ok() ? parsed.value() : WorkCalendar{};
  }();
  return cal;
}

Date D(const char* iso) { return WorkCalendar::LocalDate(*ParseTime(iso)); }
TimePoint T(const char* iso) { return *ParseTime(iso); }

TEST(Calendar, Holidays2025) {
  const auto& c = Shipped();
  EXPECT_FALSE(c.IsWorkingDay(D("2025-01-01")));
  EXPECT_TRUE(c.IsWorkingDay(D("2025-01-26")));  // Sunday, adjusted working day before 春节
  for (auto d : {"2025-01-28", "2025-01-31", "2025-02-03", "2025-02-04"}) EXPECT_FALSE(c.IsWorkingDay(D(d))) << d;
  EXPECT_TRUE(c.IsWorkingDay(D("2025-02-08")));  // Saturday, adjusted
  EXPECT_TRUE(c.IsWorkingDay(D("2025-04-27")));
  EXPECT_FALSE(c.IsWorkingDay(D("2025-05-05")));
  EXPECT_FALSE(c.IsWorkingDay(D("2025-06-02")));
  EXPECT_TRUE(c.IsWorkingDay(D("2025-09-28")));
  EXPECT_FALSE(c.IsWorkingDay(D("2025-10-08")));
  EXPECT_TRUE(c.IsWorkingDay(D("2025-10-11")));
  EXPECT_TRUE(c.IsWorkingDay(D("2025-10-09")));
}

TEST(Calendar, Holidays2026) {
  const auto& c = Shipped();
  EXPECT_FALSE(c.IsWorkingDay(D("2026-01-02")));
  EXPECT_TRUE(c.IsWorkingDay(D("2026-01-04")));
  EXPECT_TRUE(c.IsWorkingDay(D("2026-02-14")));
  for (auto d : {"2026-02-16", "2026-02-20", "2026-02-23"}) EXPECT_FALSE(c.IsWorkingDay(D(d))) << d;
  EXPECT_TRUE(c.IsWorkingDay(D("2026-02-28")));
  EXPECT_TRUE(c.IsWorkingDay(D("2026-05-09")));
  EXPECT_FALSE(c.IsWorkingDay(D("2026-06-19")));
  EXPECT_FALSE(c.IsWorkingDay(D("2026-09-25")));
  EXPECT_TRUE(c.IsWorkingDay(D("2026-09-20")));
  EXPECT_FALSE(c.IsWorkingDay(D("2026-10-07")));
  EXPECT_TRUE(c.IsWorkingDay(D("2026-10-10")));
  EXPECT_FALSE(c.IsWorkingDay(D("2026-11-28")));  // an ordinary Saturday
}

TEST(Calendar, DeadlinesSkipTheNationalDayWeek) {
  // Tue 29 Sep: 30 Sep is day 1, 1–7 Oct are off, 8, 9, Sat 10 (adjusted), Mon 12 are days 2–5.
  EXPECT_EQ(Shipped().AddWorkingDays(T("2026-09-29T10:00:00+08:00"), 5), T("2026-10-12T10:00:00+08:00"));
}

TEST(Calendar, DeadlinesAcrossSpringFestival2025) {
  // Fri 24 Jan: Sun 26 (adjusted) and Mon 27 count, 28 Jan – 4 Feb are off, then 5, 6, 7 Feb.
  EXPECT_EQ(Shipped().AddWorkingDays(T("2025-01-24T15:00:00+08:00"), 5), T("2025-02-07T15:00:00+08:00"));
}

TEST(Calendar, StartOnAHolidayCountsFromNextWorkingDay) {
  EXPECT_EQ(Shipped().AddWorkingDays(T("2026-02-16T10:00:00+08:00"), 1), T("2026-02-25T00:00:00+08:00"));
}

TEST(Calendar, FractionsAreWorkingHours) {
  EXPECT_EQ(Shipped().AddWorkingDays(T("2026-11-24T10:00:00+08:00"), 0.25), T("2026-11-24T16:00:00+08:00"));
  // Friday 20:00 + 6 working hours: 4 on Friday, 2 on Monday.
  EXPECT_EQ(Shipped().AddWorkingDays(T("2026-11-27T20:00:00+08:00"), 0.25), T("2026-11-30T02:00:00+08:00"));
}

TEST(Calendar, RejectsBadRows) {
  EXPECT_FALSE(ParseHolidayCsv("date,kind,name\n2026-02-30,holiday,x\n").ok());
  EXPECT_FALSE(ParseHolidayCsv("date,kind,name\n2026-02-03,day-off,x\n").ok());
  EXPECT_TRUE(ParseHolidayCsv("date,kind,name\n2026-02-03,holiday,x\n").ok());
  // The error names the line (blank lines count), and a record with a field too many is refused.
  auto bad = ParseHolidayCsv("date,kind,name\n2026-02-03,holiday,x\n\n2026-02-04,rest,y\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "holidays line 4");
  EXPECT_FALSE(ParseHolidayCsv("date,kind,name\n2026-02-03,holiday,x,y\n").ok());
}

TEST(Calendar, ReadsQuotedNamesAndCrLf) {
  // A name holding a comma is quoted (RFC 4180), as a spreadsheet writes it.
  auto cal =
      ParseHolidayCsv("date,kind,name\r\n2026-10-01,holiday,\"国庆节, 中秋节\"\r\n2026-10-10,workday,国庆节\r\n");
  ASSERT_TRUE(cal.ok()) << cal.error().message;
  EXPECT_FALSE(cal->IsWorkingDay(D("2026-10-01")));
  EXPECT_TRUE(cal->IsWorkingDay(D("2026-10-10")));
  EXPECT_EQ(cal->special_days().front().name, "国庆节, 中秋节");
}

}  // namespace
}  // namespace civicgrid::calendar
