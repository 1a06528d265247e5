#include "calendar/calendar.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "calendar/lunar.h"
#include "common/csv.h"
#include "common/mutex.h"

namespace civicgrid::calendar {

namespace {

using std::chrono::year_month_day;

int YearOf(Date d) { return static_cast<int>(year_month_day{d}.year()); }

bool IsWeekend(Date d) {
  const std::chrono::weekday wd{d};
  return wd == std::chrono::Saturday || wd == std::chrono::Sunday;
}

Date Ymd(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}};
}

std::vector<SpecialDay> ComputeStatutory(int year) {
  std::map<Date, std::string> names;
  auto add = [&names](Date d, const char* name) {
    auto& n = names[d];
    n = n.empty() ? std::string(name) : n + "、" + name;
  };
  add(Ymd(year, 1, 1), "元旦");
  const Date eve = lunar::NewYearsEve(year);
  for (int i = 0; i < 4; ++i) add(eve + days{i}, "春节");
  add(lunar::Qingming(year), "清明节");
  add(Ymd(year, 5, 1), "劳动节");
  add(Ymd(year, 5, 2), "劳动节");
  add(lunar::SolarDate(year, 5, 5), "端午节");
  for (unsigned d = 1; d <= 3; ++d) add(Ymd(year, 10, d), "国庆节");
  add(lunar::SolarDate(year, 8, 15), "中秋节");
  std::vector<SpecialDay> out;
  out.reserve(names.size());
  for (auto& [date, name] : names) out.push_back({date, DayKind::kHoliday, std::move(name)});
  return out;
}

}  // namespace

const std::vector<SpecialDay>& StatutoryHolidays(int year) {
  static const std::vector<SpecialDay> kNone;
  if (year < kFirstRuleYear || year > kLastRuleYear) return kNone;
  static common::Mutex mu;
  static std::map<int, std::vector<SpecialDay>> cache GUARDED_BY(mu);
  common::MutexLock lock(mu);
  auto it = cache.find(year);
  if (it == cache.end()) it = cache.emplace(year, ComputeStatutory(year)).first;
  return it->second;  // map nodes never move, and an entry never changes once made
}

WorkCalendar::WorkCalendar() : WorkCalendar(std::vector<SpecialDay>{}) {}

WorkCalendar::WorkCalendar(std::vector<SpecialDay> published) : days_(std::move(published)) {
  for (int y = kFirstRuleYear; y <= kLastRuleYear; ++y)
    for (const auto& d : StatutoryHolidays(y)) holidays_.insert(d.date);
  for (const auto& d : days_) {
    (d.kind == DayKind::kHoliday ? holidays_ : workdays_).insert(d.date);
    published_years_.insert(YearOf(d.date));
  }
}

std::vector<CalendarDay> WorkCalendar::Year(int year) const {
  std::map<Date, CalendarDay> out;
  for (const auto& s : StatutoryHolidays(year)) out[s.date] = {s.date, false, false, s.name};
  for (const auto& p : days_) {
    if (YearOf(p.date) != year) continue;
    const bool statutory = out.count(p.date) > 0;
    if (p.kind == DayKind::kHoliday) {
      // A statutory day an older table lists too stays the rule's; a weekend day off is no news.
      if (!statutory && !IsWeekend(p.date)) out[p.date] = {p.date, false, true, p.name};
    } else if (statutory || IsWeekend(p.date)) {
      out[p.date] = {p.date, true, true, p.name};
    }
  }
  std::vector<CalendarDay> days;
  days.reserve(out.size());
  for (auto& [date, day] : out) days.push_back(std::move(day));
  return days;
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

Result<std::vector<SpecialDay>> ParseHolidayRows(std::string_view text) {
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
  return days;
}

Result<WorkCalendar> ParseHolidayCsv(std::string_view text) {
  auto rows = ParseHolidayRows(text);
  if (!rows.ok()) return rows.error();
  return WorkCalendar(std::move(rows.value()));
}

Status CheckAdjustments(const std::vector<SpecialDay>& rows) {
  std::set<Date> seen;
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    // Rows are numbered as the file's lines: the header is line 1.
    const std::string where = "holidays line " + std::to_string(i + 2);
    const int year = YearOf(r.date);
    if (year < kFirstRuleYear || year > kLastRuleYear)
      return Invalid(where, FormatDate(r.date) + " is outside " + std::to_string(kFirstRuleYear) + "–" +
                                std::to_string(kLastRuleYear));
    if (!seen.insert(r.date).second) return Invalid(where, FormatDate(r.date) + " is listed twice");
    if (r.kind == DayKind::kWorkday && !IsWeekend(r.date))
      return Invalid(where, "a workday row is a working Saturday or Sunday; " + FormatDate(r.date) + " is neither");
  }
  return OkStatus();
}

std::vector<SpecialDay> ReplaceYears(std::vector<SpecialDay> stored, const std::vector<SpecialDay>& incoming) {
  std::set<int> years;
  for (const auto& r : incoming) years.insert(YearOf(r.date));
  std::erase_if(stored, [&years](const SpecialDay& r) { return years.count(YearOf(r.date)) > 0; });
  stored.insert(stored.end(), incoming.begin(), incoming.end());
  return stored;
}

std::string FormatHolidayCsv(std::vector<SpecialDay> rows) {
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.date < b.date; });
  std::string out = "date,kind,name\n";
  for (const auto& r : rows) {
    std::string name = r.name;
    if (name.find_first_of(",\"\r\n") != std::string::npos) {
      std::string quoted = "\"";
      for (char c : name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
      name = quoted + "\"";
    }
    out += FormatDate(r.date) + (r.kind == DayKind::kHoliday ? ",holiday," : ",workday,") + name + "\n";
  }
  return out;
}

std::optional<std::string> NextYearWarning(const WorkCalendar& calendar, Date today) {
  const year_month_day ymd{today};
  const int next = static_cast<int>(ymd.year()) + 1;
  if (ymd.month() < std::chrono::October || next > kLastRuleYear || calendar.AdjustmentsPublished(next))
    return std::nullopt;
  const std::string y = std::to_string(next);
  return "the State Council's holiday adjustments (调休) for " + y + " are not imported: deadlines in " + y +
         " count the statutory holidays only; import them when they are published";
}

std::string FormatDate(Date date) {
  const year_month_day ymd{date};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

}  // namespace civicgrid::calendar
