// Working time in Asia/Shanghai with the State Council's holidays and adjusted working days (调休).
// Immutable after construction: share it freely between threads. Pure: no clock, no files.
#pragma once

#include <chrono>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"

namespace civicgrid::calendar {

using Date = std::chrono::sys_days;  // a civil date in Asia/Shanghai

enum class DayKind { kHoliday, kWorkday };
struct SpecialDay {
  Date date;
  DayKind kind;
  std::string name;
};

class WorkCalendar {
 public:
  WorkCalendar() = default;
  explicit WorkCalendar(std::vector<SpecialDay> days);

  // A holiday listed in the calendar is off; an adjusted working day listed is on; else Monday–Friday.
  bool IsWorkingDay(Date date) const;
  static Date LocalDate(TimePoint t);
  // Adds working time: the clock runs only on working days, each giving 24 hours. So 5 working days from
  // Friday 10:00 ends the next Friday 10:00, and from a holiday they count from the next working day's 00:00.
  TimePoint AddWorkingTime(TimePoint start, std::chrono::milliseconds amount) const;
  TimePoint AddWorkingDays(TimePoint start, double days) const;
  const std::vector<SpecialDay>& special_days() const { return days_; }

 private:
  std::vector<SpecialDay> days_;
  std::set<Date> holidays_;
  std::set<Date> workdays_;
};

// Parses the shipped data/holidays.csv (header `date,kind,name`).
Result<WorkCalendar> ParseHolidayCsv(std::string_view text);

}  // namespace civicgrid::calendar
