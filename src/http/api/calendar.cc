// The working calendar: a year's statutory holidays (by rule) and published adjustments, the import of the
// State Council's yearly adjustments, and the warning when next year's are missing.
#include <charconv>

#include "calendar/calendar.h"
#include "http/api.h"
#include "http/json_util.h"

namespace civicgrid::http {
namespace {

Result<int> ParseYear(const Request& req) {
  const auto* v = req.Query("year");
  if (!v || v->empty()) return BadRequest("year", "year is required");
  int year = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), year);
  if (ec != std::errc() || p != v->data() + v->size()) return BadRequest("year", "year must be a number");
  if (year < calendar::kFirstRuleYear || year > calendar::kLastRuleYear)
    return BadRequest("year", "year must be between " + std::to_string(calendar::kFirstRuleYear) + " and " +
                                  std::to_string(calendar::kLastRuleYear));
  return year;
}

calendar::Date Today(const ApiDeps& deps) { return calendar::WorkCalendar::LocalDate(deps.clock.Now()); }

}  // namespace

std::optional<std::string> CalendarWarning(const ApiDeps& deps) {
  return calendar::NextYearWarning(deps.directory().Get()->calendar(), Today(deps));
}

std::string CalendarMetricsText(const ApiDeps& deps) {
  const auto dir = deps.directory().Get();
  const int next = static_cast<int>(std::chrono::year_month_day{Today(deps)}.year()) + 1;
  const bool published = dir->calendar().AdjustmentsPublished(next);
  const bool warning = calendar::NextYearWarning(dir->calendar(), Today(deps)).has_value();
  return "# HELP civicgrid_calendar_next_year_published Whether next year's holiday adjustments (调休) are "
         "imported.\n# TYPE civicgrid_calendar_next_year_published gauge\ncivicgrid_calendar_next_year_published " +
         std::string(published ? "1" : "0") +
         "\n# HELP civicgrid_calendar_warning 1 from 1 October while next year's holiday adjustments are not "
         "imported.\n# TYPE civicgrid_calendar_warning gauge\ncivicgrid_calendar_warning " +
         std::string(warning ? "1" : "0") + "\n";
}

void AddCalendarRoutes(Router& router, ApiDeps& deps) {
  router.Add("GET", "/api/v1/calendar", [&deps](Request& req, const Call&) -> Result<Response> {
    if (auto st = CheckQuery(req, {"year"}); !st) return st.error();
    TRY_ASSIGN(year, ParseYear(req));
    const auto dir = deps.directory().Get();
    const auto& cal = dir->calendar();
    nlohmann::ordered_json days = nlohmann::ordered_json::array();
    for (const auto& d : cal.Year(year))  // the rule's days are computed once per year and cached
      days.push_back({{"date", calendar::FormatDate(d.date)},
                      {"working", d.working},
                      {"source", d.published ? "published" : "rule"},
                      {"name", d.name}});
    nlohmann::ordered_json j = {
        {"year", year}, {"adjustments_published", cal.AdjustmentsPublished(year)}, {"days", std::move(days)}};
    return JsonResponse(200, j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
  });

  router.Add(
      "POST", "/api/v1/calendar/import",
      [&deps](Request& req, const Call& call) -> Result<Response> {
        // The body is the CSV itself (text/csv), as `civicgrid import holidays FILE` reads it.
        TRY_ASSIGN(imported, deps.reference.ImportHolidaysCsv(req.body));
        json years = json::array();
        std::string list;
        for (int y : imported.years) {
          years.push_back(y);
          list += (list.empty() ? "" : ",") + std::to_string(y);
        }
        deps.auth.Audit(call.actor(), "holidays_imported", list, std::to_string(imported.rows) + " rows", req.remote);
        return JsonResponse(200, Dump(json{{"imported", imported.rows}, {"years", years}}));
      },
      Access::kAdmin);
}

}  // namespace civicgrid::http
