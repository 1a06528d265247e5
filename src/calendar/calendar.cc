#include "calendar/calendar.h"

#include <cmath>

#include "common/csv.h"

namespace civicgrid::calendar {

WorkCalendar::WorkCalendar(std::vector<SpecialDay> days) : days_(std::move(days)) {
  for (const auto& d : days_) (d.kind == DayKind::kHoliday ? holidays_ : workdays_).insert(d.date);
}

bool WorkCalendar::IsWorkingDay(Date date) const {
  if (workdays_.count(date)) return true;
  if (holidays_.count(date)) return false;
  const std::chrono::weekday wd{date};
  return wd != std::chrono::Saturday && wd != std::chrono::Sunday;
}

Date WorkCalendar::LocalDate(TimePoint t) { return std::chrono::floor<days>(t + kShanghaiOffset); }

TimePoint WorkCalendar::AddWorkingTime(TimePoint start, milliseconds amount) const {
  auto local = start + kShanghaiOffset;
  auto remaining = amount;
  // Bounded: every week has working days, so this ends within a few iterations per requested day.
  for (int guard = 0; guard < 100000; ++guard) {
    const Date day = std::chrono::floor<days>(local);
    const TimePoint day_end = TimePoint{day + days{1}};
    if (IsWorkingDay(day)) {
      const auto available = day_end - local;
      if (remaining <= available) return local + remaining - kShanghaiOffset;
      remaining -= available;
    }
    local = day_end;
  }
  return local - kShanghaiOffset;
}

TimePoint WorkCalendar::AddWorkingDays(TimePoint start, double n) const {
  const auto ms = static_cast<std::int64_t>(std::llround(n * 24.0 * 3600.0 * 1000.0));
  return AddWorkingTime(start, milliseconds{ms});
}

Result<WorkCalendar> ParseHolidayCsv(std::string_view text) {
  auto rows = csv::Parse(text, {"date", "kind"});
  if (!rows.ok()) return Invalid("holidays", rows.error().message);
  std::vector<SpecialDay> days;
  days.reserve(rows->size());
  for (const auto& row : *rows) {
    const std::string where = "holidays line " + std::to_string(row.line);
    const std::string& date = row.Get("date");
    const auto t = ParseTime(date);
    if (!t || date.size() != 10) return Invalid(where, "bad date '" + date + "'");
    DayKind kind;
    if (row.Get("kind") == "holiday") kind = DayKind::kHoliday;
    else if (row.Get("kind") == "workday") kind = DayKind::kWorkday;
    else return Invalid(where, "kind must be holiday or workday");
    days.push_back({WorkCalendar::LocalDate(*t), kind, row.Get("name")});
  }
  return WorkCalendar(std::move(days));
}

}  // namespace civicgrid::calendar
