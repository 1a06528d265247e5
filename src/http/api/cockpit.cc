// /api/v1/cockpit: the leaders' live view (城市驾驶舱) of any region subtree and period, read from the
// in-memory aggregates (cockpit/aggregates.h), never from a scan of the cases.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <set>

#include "calendar/calendar.h"
#include "domain/cockpit/aggregates.h"
#include "http/api.h"
#include "http/json_util.h"

namespace civicgrid::http {
namespace {

json RateJson(const std::optional<double>& r) { return r ? json(std::round(*r * 10000) / 10000) : json(nullptr); }

json RatesJson(const cockpit::Rates& r) {
  return {{"response", RateJson(r.response)},
          {"resolution", RateJson(r.resolution)},
          {"satisfaction", RateJson(r.satisfaction)}};
}

json CountsJson(const cockpit::Counts& c) {
  return {{"intake", c.intake},     {"valid", c.valid}, {"reached", c.reached},    {"responded", c.responded},
          {"resolved", c.resolved}, {"rated", c.rated}, {"satisfied", c.satisfied}};
}

json RankJson(const cockpit::RankRow& row, const std::string& name, const std::string& kind) {
  return {{"code", row.code},
          {"name", name},
          {"kind", kind},
          {"intake", row.counts.intake},
          {"open", row.open},
          {"overdue", row.overdue},
          {"rates", RatesJson(row.rates)},
          {"counts", CountsJson(row.counts)}};
}

// The region a caller may look at: one inside a region grant of a role that sees the cockpit, or anything
// for an admin or a county-wide (*) grant. "" asks for everything the caller has.
Result<std::string> CockpitRegion(const access::Subject& who, const std::string& asked,
                                  const reference::Directory& dir) {
  bool everything = access::IsAdmin(who);
  std::vector<const access::Grant*> grants;
  for (const auto& g : who.grants) {
    switch (g.role) {
      case access::Role::kDispatcher:
      case access::Role::kLeader:
      case access::Role::kTownStaff:
      case access::Role::kCommunityStaff:
      case access::Role::kGridWorker:
        if (g.scope == "*") everything = true;
        else if (!g.path.empty()) grants.push_back(&g);
        break;
      default: break;
    }
  }
  if (!everything && grants.empty())
    return Error{ErrorCode::kForbidden, "your roles do not include the cockpit", {}, {}};
  if (asked.empty()) {
    if (everything) return std::string();
    return grants.front()->scope;
  }
  if (!dir.FindRegion(asked)) return Invalid("region", "unknown region '" + asked + "'");
  if (everything) return asked;
  const std::string path = dir.PathOf(asked);
  for (const auto* g : grants)
    if (path.starts_with(g->path)) return asked;
  return Error{ErrorCode::kForbidden, "region " + asked + " lies outside your scope", {}, {}};
}

// 00:00 Asia/Shanghai (UTC+8, no daylight saving) of the day t falls on.
TimePoint LocalMidnight(TimePoint t) {
  return std::chrono::time_point_cast<milliseconds>(std::chrono::sys_days(calendar::WorkCalendar::LocalDate(t))) -
         std::chrono::hours(8);
}

}  // namespace

json CockpitSummaryJson(const cockpit::Summary& s, const std::string& region, TimePoint from, TimePoint to,
                        const reference::Directory& dir) {
  const auto* r = region.empty() ? nullptr : dir.FindRegion(region);
  json by_channel = json::array(), by_category = json::array(), by_day = json::array();
  for (const auto& [k, n] : s.by_channel) by_channel.push_back({{"channel", k}, {"count", n}});
  for (const auto& [k, n] : s.by_category) {
    const auto* cat = dir.FindCategory(k);
    by_category.push_back({{"category", k}, {"name", cat ? cat->name_zh : ""}, {"count", n}});
  }
  for (const auto& [k, n] : s.by_day) by_day.push_back({{"date", k}, {"count", n}});
  json children = json::array(), towns = json::array(), departments = json::array();
  for (const auto& row : s.children) {
    const auto* child = dir.FindRegion(row.code);
    const std::string kind = child ? std::string(Name(child->kind)) : "";
    json j = RankJson(row, child ? child->name : "", kind);
    if (kind == "town" || kind == "street") towns.push_back(j);
    children.push_back(std::move(j));
  }
  for (const auto& row : s.orgs) {
    const auto* org = dir.FindOrg(row.code);
    if (!org || org->kind != "department") continue;
    departments.push_back(RankJson(row, org->name, org->kind));
  }
  return {
      {"region", r ? json{{"code", r->code}, {"name", r->name}, {"kind", std::string(Name(r->kind))}} : json(nullptr)},
      {"from", FormatTime(from)},
      {"to", FormatTime(to)},
      {"intake", s.counts.intake},
      {"open", s.open},
      {"overdue", s.overdue},
      {"yellow", s.yellow},
      {"rates", RatesJson(s.rates)},
      {"counts", CountsJson(s.counts)},
      {"by_channel", std::move(by_channel)},
      {"by_category", std::move(by_category)},
      {"by_day", std::move(by_day)},
      {"rankings",
       {{"towns", std::move(towns)}, {"departments", std::move(departments)}, {"children", std::move(children)}}}};
}

std::string CockpitLiveJson(const cockpit::Aggregates& aggregates, const access::Subject& who, const std::string& asked,
                            const reference::Directory& dir, TimePoint now, std::map<std::string, std::string>& cache) {
  auto region = CockpitRegion(who, asked, dir);
  if (!region.ok()) return "";  // no cockpit for this caller: events only
  auto it = cache.find(*region);
  if (it != cache.end()) return it->second;
  const TimePoint today = LocalMidnight(now), tomorrow = today + std::chrono::hours(24);
  const auto day = aggregates.Summarize({*region, today, tomorrow});
  const auto month = aggregates.Summarize({*region, tomorrow - std::chrono::hours(24 * 30), tomorrow});
  const json j = {{"region", region->empty() ? json(nullptr) : json(*region)},
                  {"at", FormatTime(now)},
                  {"open", day.open},
                  {"overdue", day.overdue},
                  {"yellow", day.yellow},
                  {"intake_today", day.counts.intake},
                  {"rates_30_days", RatesJson(month.rates)}};
  return cache.emplace(*region, Dump(j)).first->second;
}

void AddCockpitRoutes(Router& router, ApiDeps& deps) {
  router.Add("GET", "/api/v1/cockpit/summary", [&deps](Request& req, const Call& call) -> Result<Response> {
    if (auto st = CheckQuery(req, {"region", "from", "to"}); !st) return st.error();
    if (!deps.cockpit) return Error{ErrorCode::kUnavailable, "the cockpit is not running", {}, {}};
    const auto dir = deps.directory().Get();
    const auto* asked = req.Query("region");
    TRY_ASSIGN(region, CockpitRegion(*call.subject, asked ? *asked : "", *dir));
    // The period: whole local days; by default the last 30 days up to and including today.
    const TimePoint now = deps.clock.Now();
    TimePoint to = LocalMidnight(now) + std::chrono::hours(24), from = to - std::chrono::hours(24 * 30);
    for (auto [key, target] : {std::pair{"from", &from}, std::pair{"to", &to}}) {
      if (const auto* v = req.Query(key); v && !v->empty()) {
        auto t = ParseTime(*v);
        if (!t) return Invalid(key, std::string(key) + " must be an RFC 3339 time or a date (YYYY-MM-DD)");
        *target = *t;
      }
    }
    if (to <= from) return Invalid("to", "to must lie after from");
    if (to - from > std::chrono::hours(24 * 366 * 3)) return Invalid("from", "a period spans at most three years");
    const auto s = deps.cockpit->Summarize({region, from, to});
    json j = CockpitSummaryJson(s, region, from, to, *dir);
    // Missed whistle check-ins count against each department (in all, not per period).
    TRY_ASSIGN(missed, deps.store.cases().MissedCheckIns());
    std::set<std::string> listed;
    for (auto& d : j["rankings"]["departments"]) {
      listed.insert(d["code"].get<std::string>());
      auto it = missed.find(d["code"].get<std::string>());
      d["missed_check_ins"] = it == missed.end() ? 0 : it->second;
    }
    // A department of the region with missed check-ins but no case of its own in the period still shows.
    const std::string path = region.empty() ? "" : dir->PathOf(region);
    for (const auto& [code, n] : missed) {
      const auto* org = dir->FindOrg(code);
      if (listed.count(code) || !org || org->kind != "department" || !dir->PathOf(org->region).starts_with(path))
        continue;
      json row = {
          {"code", code}, {"name", org->name},      {"kind", org->kind},        {"intake", 0},          {"open", 0},
          {"overdue", 0}, {"rates", RatesJson({})}, {"counts", CountsJson({})}, {"missed_check_ins", n}};
      j["rankings"]["departments"].push_back(std::move(row));
    }
    // What the centre should act on besides the figures (next year's holiday adjustments missing, …).
    j["warnings"] = json::array();
    if (auto w = CalendarWarning(deps)) j["warnings"].push_back(*w);
    return JsonResponse(200, Dump(j));
  });
}

}  // namespace civicgrid::http
