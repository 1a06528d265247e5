// Working time in Asia/Shanghai: the statutory holidays of 《全国年节及纪念日放假办法》 (as revised in 2024) computed
// by rule for every year from 2025 to 2099, overlaid with the State Council's published adjustments (调休: extra days
// off and working weekend days) of the years it has announced. Immutable after construction: share it freely between
// threads. Pure: no clock, no files.
#pragma once

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"

namespace civicgrid::calendar {

using Date = std::chrono::sys_days;  // a civil date in Asia/Shanghai

inline constexpr int kFirstRuleYear = 2025;  // the revised rules are in force from 1 January 2025
inline constexpr int kLastRuleYear = 2099;

enum class DayKind { kHoliday, kWorkday };
struct SpecialDay {
  Date date;
  DayKind kind;
  std::string name;
};

// The statutory days off of `year` (kFirstRuleYear..kLastRuleYear; empty outside) by the rules: 元旦 1 January;
// 春节 除夕 and 正月初一–初三; 清明节 on the day of the solar term; 劳动节 1–2 May; 端午节 五月初五; 中秋节 八月十五;
// 国庆节 1–3 October. Sorted by date; a day two rules give (中秋 on 1–3 October) is one day with both names
// ("国庆节、中秋节"). Computed once per year and process, then cached.
const std::vector<SpecialDay>& StatutoryHolidays(int year);

// One line of a year's calendar as GET /api/v1/calendar lists it.
struct CalendarDay {
  Date date;
  bool working = false;
  bool published = false;  // from the published adjustments; else from the rule
  std::string name;
};

class WorkCalendar {
 public:
  // The rule alone (no year's adjustments published).
  WorkCalendar();
  // The rule with published rows over it: a `holiday` row is a day off (an extra day off, or a statutory day
  // as the older full tables list them), a `workday` row a working day (a working weekend day).
  explicit WorkCalendar(std::vector<SpecialDay> published);

  // A published working day is on; a published or statutory day off is off; else Monday–Friday.
  bool IsWorkingDay(Date date) const;
  static Date LocalDate(TimePoint t);
  // Adds working time: the clock runs only on working days, each giving 24 hours. So 5 working days from
  // Friday 10:00 ends the next Friday 10:00, and from a holiday they count from the next working day's 00:00.
  TimePoint AddWorkingTime(TimePoint start, std::chrono::milliseconds amount) const;
  TimePoint AddWorkingDays(TimePoint start, double days) const;
  // The published rows, as given.
  const std::vector<SpecialDay>& special_days() const { return days_; }
  // Whether the State Council's adjustments for `year` are in (some row of that year was published).
  bool AdjustmentsPublished(int year) const { return published_years_.count(year) > 0; }
  // Every day of `year` that is not what its weekday says, plus each statutory day whatever its weekday:
  // statutory days (from the rule), published extra days off on Monday–Friday and published working weekend
  // days. Sorted by date.
  std::vector<CalendarDay> Year(int year) const;

 private:
  std::vector<SpecialDay> days_;
  std::set<Date> holidays_;  // statutory and published days off
  std::set<Date> workdays_;  // published working days
  std::set<int> published_years_;
};

// Parses a holiday CSV (header `date,kind,name`, kind `holiday` or `workday`): the shipped data/holidays.csv,
// the stored table and an administrator's import. Every row is checked; errors name the line.
Result<std::vector<SpecialDay>> ParseHolidayRows(std::string_view text);
// The calendar of the rule with the rows of a holiday CSV over it.
Result<WorkCalendar> ParseHolidayCsv(std::string_view text);
// Checks rows meant as a year's published adjustments: each year within kFirstRuleYear..kLastRuleYear, each
// date once, and a `workday` only on a Saturday or Sunday.
Status CheckAdjustments(const std::vector<SpecialDay>& rows);
// The rows of `stored` with those of `incoming` in place of the stored rows of every year `incoming` names.
std::vector<SpecialDay> ReplaceYears(std::vector<SpecialDay> stored, const std::vector<SpecialDay>& incoming);
// Rows as CSV text (header `date,kind,name`), sorted by date.
std::string FormatHolidayCsv(std::vector<SpecialDay> rows);

// From 1 October on, a warning when next year's adjustments are not published; nothing before, or once they are.
std::optional<std::string> NextYearWarning(const WorkCalendar& calendar, Date today);
// "2027-01-01".
std::string FormatDate(Date date);

}  // namespace civicgrid::calendar
