#include "calendar/calendar.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace civicgrid::calendar {
namespace {

// The shipped calendar itself is under test: these dates are the State Council's notices for 2025 and 2026.
const WorkCalendar& Shipped() {
  static const WorkCalendar kCal = [] {
    std::ifstream in(std::string(CIVICGRID_SOURCE_DIR) + "/data/holidays.csv");
    std::stringstream ss;
    ss << in.rdbuf();
    auto parsed = ParseHolidayCsv(ss.str());
    EXPECT_TRUE(parsed.ok());
    return parsed.ok() ? parsed.value() : WorkCalendar{};
  }();
  return kCal;
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

// data/holidays.csv as it was shipped before the rule: every day of each period, statutory days included. Stores
// initialised then hold this table; it must give the same working days as the rule plus today's adjustments.
constexpr const char* kFullTable2025And2026 = R"(date,kind,name
2025-01-01,holiday,元旦
2025-01-26,workday,春节
2025-01-28,holiday,春节
2025-01-29,holiday,春节
2025-01-30,holiday,春节
2025-01-31,holiday,春节
2025-02-01,holiday,春节
2025-02-02,holiday,春节
2025-02-03,holiday,春节
2025-02-04,holiday,春节
2025-02-08,workday,春节
2025-04-04,holiday,清明节
2025-04-05,holiday,清明节
2025-04-06,holiday,清明节
2025-04-27,workday,劳动节
2025-05-01,holiday,劳动节
2025-05-02,holiday,劳动节
2025-05-03,holiday,劳动节
2025-05-04,holiday,劳动节
2025-05-05,holiday,劳动节
2025-05-31,holiday,端午节
2025-06-01,holiday,端午节
2025-06-02,holiday,端午节
2025-09-28,workday,国庆节、中秋节
2025-10-01,holiday,国庆节、中秋节
2025-10-02,holiday,国庆节、中秋节
2025-10-03,holiday,国庆节、中秋节
2025-10-04,holiday,国庆节、中秋节
2025-10-05,holiday,国庆节、中秋节
2025-10-06,holiday,国庆节、中秋节
2025-10-07,holiday,国庆节、中秋节
2025-10-08,holiday,国庆节、中秋节
2025-10-11,workday,国庆节、中秋节
2026-01-01,holiday,元旦
2026-01-02,holiday,元旦
2026-01-03,holiday,元旦
2026-01-04,workday,元旦
2026-02-14,workday,春节
2026-02-15,holiday,春节
2026-02-16,holiday,春节
2026-02-17,holiday,春节
2026-02-18,holiday,春节
2026-02-19,holiday,春节
2026-02-20,holiday,春节
2026-02-21,holiday,春节
2026-02-22,holiday,春节
2026-02-23,holiday,春节
2026-02-28,workday,春节
2026-04-04,holiday,清明节
2026-04-05,holiday,清明节
2026-04-06,holiday,清明节
2026-05-01,holiday,劳动节
2026-05-02,holiday,劳动节
2026-05-03,holiday,劳动节
2026-05-04,holiday,劳动节
2026-05-05,holiday,劳动节
2026-05-09,workday,劳动节
2026-06-19,holiday,端午节
2026-06-20,holiday,端午节
2026-06-21,holiday,端午节
2026-09-20,workday,国庆节
2026-09-25,holiday,中秋节
2026-09-26,holiday,中秋节
2026-09-27,holiday,中秋节
2026-10-01,holiday,国庆节
2026-10-02,holiday,国庆节
2026-10-03,holiday,国庆节
2026-10-04,holiday,国庆节
2026-10-05,holiday,国庆节
2026-10-06,holiday,国庆节
2026-10-07,holiday,国庆节
2026-10-10,workday,国庆节
)";

TEST(Calendar, AnOlderFullTableAndTheRuleWithTheAdjustmentsAgreeDayByDay) {
  auto full = ParseHolidayCsv(kFullTable2025And2026);
  ASSERT_TRUE(full.ok()) << full.error().message;
  int checked = 0;
  for (Date d = D("2025-01-01"); d <= D("2026-12-31"); d += days{1}, ++checked)
    EXPECT_EQ(full->IsWorkingDay(d), Shipped().IsWorkingDay(d)) << FormatDate(d);
  EXPECT_EQ(checked, 730);
  // Its statutory rows show as the rule's, its weekend rows not at all; its year is published.
  const auto year = full->Year(2026);
  EXPECT_TRUE(full->AdjustmentsPublished(2026));
  EXPECT_EQ(year.size(), Shipped().Year(2026).size());
}

TEST(Calendar, StatutoryHolidaysOf2027ByRule) {
  const WorkCalendar rule;  // nothing published for 2027
  EXPECT_FALSE(rule.AdjustmentsPublished(2027));
  for (auto d : {"2027-01-01", "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", "2027-04-05", "2027-06-09",
                 "2027-09-15", "2027-10-01"})
    EXPECT_FALSE(rule.IsWorkingDay(D(d))) << d;
  for (auto d : {"2027-01-04", "2027-02-04", "2027-02-09", "2027-10-04", "2027-05-03"})
    EXPECT_TRUE(rule.IsWorkingDay(D(d))) << d;
  std::vector<std::string> listed;
  for (const auto& day : rule.Year(2027)) {
    EXPECT_FALSE(day.working);
    EXPECT_FALSE(day.published);
    listed.push_back(FormatDate(day.date) + " " + day.name);
  }
  EXPECT_EQ(listed, (std::vector<std::string>{
                        "2027-01-01 元旦", "2027-02-05 春节", "2027-02-06 春节", "2027-02-07 春节", "2027-02-08 春节",
                        "2027-04-05 清明节", "2027-05-01 劳动节", "2027-05-02 劳动节", "2027-06-09 端午节",
                        "2027-09-15 中秋节", "2027-10-01 国庆节", "2027-10-02 国庆节", "2027-10-03 国庆节"}));
  // 2031: 中秋 falls on 1 October, one day with both names.
  const auto y2031 = rule.Year(2031);
  EXPECT_EQ(y2031.size(), 12u);
  const auto oct1 = std::find_if(y2031.begin(), y2031.end(), [](const auto& d) { return d.date == D("2031-10-01"); });
  ASSERT_NE(oct1, y2031.end());
  EXPECT_EQ(oct1->name, "国庆节、中秋节");
  // Every year of the rule has its 13 statutory days (12 when 中秋 meets 国庆), none outside it.
  for (int y = kFirstRuleYear; y <= kLastRuleYear; ++y) {
    const auto n = StatutoryHolidays(y).size();
    EXPECT_TRUE(n == 13 || n == 12) << y;
  }
  EXPECT_TRUE(StatutoryHolidays(2024).empty());
  EXPECT_TRUE(StatutoryHolidays(2100).empty());
}

TEST(Calendar, ADeadlineAcrossNewYear2027SkipsIt) {
  // Thu 31 Dec 2026 10:00 + 1 working day: Fri 1 Jan is 元旦, 2–3 Jan a weekend, so Mon 4 Jan 10:00.
  EXPECT_EQ(Shipped().AddWorkingDays(T("2026-12-31T10:00:00+08:00"), 1), T("2027-01-04T10:00:00+08:00"));
  // Spring Festival 2027 (Fri 5 – Mon 8 Feb): Thu 4 Feb + 1 working day ends Tue 9 Feb.
  EXPECT_EQ(Shipped().AddWorkingDays(T("2027-02-04T09:00:00+08:00"), 1), T("2027-02-09T09:00:00+08:00"));
}

TEST(Calendar, TheYearListsRuleDaysAndPublishedAdjustments) {
  const auto year = Shipped().Year(2025);
  auto find = [&year](const char* iso) -> const CalendarDay* {
    for (const auto& d : year)
      if (d.date == D(iso)) return &d;
    return nullptr;
  };
  ASSERT_NE(find("2025-01-28"), nullptr);  // 除夕, statutory from 2025
  EXPECT_FALSE(find("2025-01-28")->published);
  EXPECT_EQ(find("2025-01-28")->name, "春节");
  ASSERT_NE(find("2025-02-03"), nullptr);  // an extra day off (Monday)
  EXPECT_TRUE(find("2025-02-03")->published);
  EXPECT_FALSE(find("2025-02-03")->working);
  ASSERT_NE(find("2025-01-26"), nullptr);  // a working Sunday
  EXPECT_TRUE(find("2025-01-26")->working);
  EXPECT_TRUE(find("2025-01-26")->published);
  ASSERT_NE(find("2025-05-31"), nullptr);  // 端午 on a Saturday is still listed
  EXPECT_EQ(find("2025-02-01"), nullptr);  // a Saturday inside the period: an ordinary weekend
  EXPECT_EQ(find("2025-10-06")->name, "中秋节");
  EXPECT_TRUE(std::is_sorted(year.begin(), year.end(), [](const auto& a, const auto& b) { return a.date < b.date; }));
  EXPECT_TRUE(Shipped().AdjustmentsPublished(2025));
  EXPECT_TRUE(Shipped().AdjustmentsPublished(2026));
  EXPECT_FALSE(Shipped().AdjustmentsPublished(2027));
}

TEST(Calendar, AdjustmentsAreCheckedWhole) {
  auto rows = [](const char* text) { return ParseHolidayRows(text).value(); };
  EXPECT_TRUE(CheckAdjustments(rows("date,kind,name\n2027-02-20,workday,春节\n2027-02-09,holiday,春节\n")).ok());
  auto weekday = CheckAdjustments(rows("date,kind,name\n2027-02-09,holiday,春节\n2027-02-10,workday,春节\n"));
  ASSERT_FALSE(weekday.ok());
  EXPECT_EQ(weekday.error().field, "holidays line 3");
  EXPECT_FALSE(CheckAdjustments(rows("date,kind,name\n2024-12-29,workday,元旦\n")).ok());
  EXPECT_FALSE(CheckAdjustments(rows("date,kind,name\n2100-01-02,workday,元旦\n")).ok());
  EXPECT_FALSE(CheckAdjustments(rows("date,kind,name\n2027-02-09,holiday,春节\n2027-02-09,holiday,春节\n")).ok());
}

TEST(Calendar, AnImportReplacesTheYearsItNames) {
  const auto stored = ParseHolidayRows(kFullTable2025And2026).value();
  const auto incoming =
      ParseHolidayRows("date,kind,name\n2026-10-08,holiday,国庆节\n2027-02-20,workday,春节\n").value();
  const auto merged = ReplaceYears(stored, incoming);
  const WorkCalendar cal(merged);
  EXPECT_FALSE(cal.IsWorkingDay(D("2025-02-04")));  // 2025 kept
  // 2026 replaced whole: its old working Saturday and extra days off are gone, the imported day off is in.
  EXPECT_FALSE(cal.IsWorkingDay(D("2026-10-10")));
  EXPECT_TRUE(cal.IsWorkingDay(D("2026-10-06")));
  EXPECT_FALSE(cal.IsWorkingDay(D("2026-10-08")));
  EXPECT_FALSE(cal.IsWorkingDay(D("2026-10-01")));  // the rule stays
  EXPECT_TRUE(cal.AdjustmentsPublished(2027));
  // The text written back reads the same.
  const auto text = FormatHolidayCsv(merged);
  EXPECT_EQ(text.substr(0, 15), "date,kind,name\n");
  const auto again = ParseHolidayRows(text).value();
  EXPECT_EQ(again.size(), merged.size());
  EXPECT_EQ(FormatHolidayCsv(again), text);
  EXPECT_EQ(FormatHolidayCsv({{D("2027-10-01"), DayKind::kHoliday, "国庆节, \"中秋节\""}}),
            "date,kind,name\n2027-10-01,holiday,\"国庆节, \"\"中秋节\"\"\"\n");
}

TEST(Calendar, WarnsFromFirstOctoberWhenNextYearIsNotPublished) {
  EXPECT_FALSE(NextYearWarning(Shipped(), D("2026-09-30")));
  const auto warning = NextYearWarning(Shipped(), D("2026-10-01"));
  ASSERT_TRUE(warning);
  EXPECT_NE(warning->find("2027"), std::string::npos);
  EXPECT_TRUE(NextYearWarning(Shipped(), D("2026-12-31")));
  EXPECT_FALSE(NextYearWarning(Shipped(), D("2025-10-01")));  // 2026 is published
  const WorkCalendar with_2027({{D("2027-02-20"), DayKind::kWorkday, "春节"}});
  EXPECT_FALSE(NextYearWarning(with_2027, D("2026-10-01")));
}

}  // namespace
}  // namespace civicgrid::calendar
