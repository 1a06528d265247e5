#include "calendar/calendar.h"

#include <cmath>

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

namespace {

std::vector<std::string_view> SplitCsvLine(std::string_view line) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    const size_t comma = line.find(',', start);
    out.push_back(line.substr(start, comma == std::string_view::npos ? line.npos : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

Result<WorkCalendar> ParseHolidayCsv(std::string_view text) {
  std::vector<SpecialDay> days;
  size_t pos = 0;
  int line_no = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line_no == 1) continue;  // header
    const auto cols = SplitCsvLine(line);
    const std::string where = "holidays line " + std::to_string(line_no);
    if (cols.size() < 2) return Invalid(where, "expected date,kind,name");
    const auto t = ParseTime(cols[0]);
    if (!t || cols[0].size() != 10) return Invalid(where, "bad date '" + std::string(cols[0]) + "'");
    DayKind kind;
    if (cols[1] == "holiday") kind = DayKind::kHoliday;
    else if (cols[1] == "workday") kind = DayKind::kWorkday;
    else return Invalid(where, "kind must be holiday or workday");
    days.push_back({WorkCalendar::LocalDate(*t), kind, cols.size() > 2 ? std::string(cols[2]) : ""});
  }
  return WorkCalendar(std::move(days));
}

}  // namespace civicgrid::calendar
