// /api/v1/cases: intake, the lifecycle actions, reads, lists and the audit trail.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <type_traits>

#include "domain/cases/actions.h"
#include "domain/cases/anonymity.h"
#include "domain/cases/case_access.h"
#include "domain/cases/event_fields.h"
#include "http/api.h"
#include "http/cursor.h"
#include "http/intake_decode.h"
#include "http/json_util.h"
#include "privacy/personal_data.h"

namespace civicgrid::http {
namespace {

using cases::Case;

json Time(const std::optional<TimePoint>& t) { return t ? json(FormatTime(*t)) : json(nullptr); }

json Masked(const privacy::Sealed& v) { return v.empty() ? json(nullptr) : json(v.masked); }

// Reporter data always go out masked: a full value needs the audited reveal. An anonymous reporter, first or
// joined, shows only the flag (cases::ViewOf decides).
json ReporterJson(const cases::Reporter& r, const access::Subject* who) {
  if (cases::ViewOf(r, who) == cases::ReporterView::kFlagOnly) return {{"anonymous", true}};
  return {{"name", privacy::MaskName(r.name)},
          {"phone", Masked(r.phone)},
          {"id_number", Masked(r.id_number)},
          {"anonymous", r.anonymous}};
}

// What the caller may do now: allowed in the case's state and by the caller's roles and scopes (the same
// CanDo the action's guard asks), so a console shows only buttons that work. Without a caller: the state's.
std::vector<std::string> AllowedFor(const Case& c, const reference::Directory& dir, const access::Subject* who) {
  std::vector<std::string> out = cases::AllowedActions(c);
  if (who) std::erase_if(out, [&](const std::string& action) { return !cases::CanDo(*who, action, c, dir); });
  return out;
}

json CaseJson(const Case& c, const reference::Directory& dir, const access::Subject* who) {
  const auto& o = c.origin;
  json j = {{"id", c.id},
            {"number", o.number},
            {"channel", o.channel},
            {"external_id", o.external_id.empty() ? json(nullptr) : json(o.external_id)},
            {"category", o.category},
            {"title", o.title},
            {"description", o.description},
            {"address", o.address},
            {"status", std::string(Name(c.status))},
            {"deadlines", {{"accept_by", Time(c.accept_by)}, {"resolve_by", Time(c.resolve_by)}}},
            {"rating", c.rating ? json(std::string(Name(*c.rating))) : json(nullptr)},
            {"solved", c.solved ? json(*c.solved) : json(nullptr)},
            {"resolution", c.resolution.empty() ? json(nullptr) : json(c.resolution)},
            {"returns", c.returns},
            {"extension_days", c.extension_days},
            {"pending_extension", c.pending_extension ? json(*c.pending_extension) : json(nullptr)},
            {"reviewed", c.reviewed},
            {"merged_into", c.merged_into ? json(*c.merged_into) : json(nullptr)},
            {"dispatched_at", Time(c.dispatched_at)},
            {"accepted_at", Time(c.accepted_at)},
            {"contacted_at", Time(c.contacted_at)},
            {"resolved_at", Time(c.resolved_at)},
            {"closed_at", Time(c.closed_at)},
            {"created_at", FormatTime(c.created_at)},
            {"updated_at", FormatTime(c.updated_at)},
            {"version", c.version},
            {"allowed_actions", AllowedFor(c, dir, who)}};
  if (const auto* cat = dir.FindCategory(o.category)) {
    j["category_name"] = {{"zh", cat->name_zh}, {"en", cat->name_en}};
  }
  j["location"] = o.location ? json{{"lat", o.location->lat}, {"lon", o.location->lon}} : json(nullptr);
  if (!o.grid.empty()) {
    const auto* g = dir.FindRegion(o.grid);
    j["grid"] = {{"code", o.grid}, {"name", g ? g->name : ""}};
  } else {
    j["grid"] = nullptr;
  }
  if (!c.org.empty()) {
    const auto* org = dir.FindOrg(c.org);
    j["org"] = {{"code", c.org}, {"name", org ? org->name : ""}};
  } else {
    j["org"] = nullptr;
  }
  j["reporter"] = ReporterJson(o.reporter, who);
  // The command centre's view of the case.
  j["level"] = std::string(Name(c.level));
  j["routing"] = c.routing ? json{{"rule", c.routing->rule}, {"reason", c.routing->reason}} : json(nullptr);
  j["duplicates"] = c.duplicates;
  json timers = json::object();
  for (const auto& [name, t] : c.timers) {
    if (!cases::IsTimerActive(c, name)) continue;
    static const char* const kStages[] = {"none", "reminded", "overdue", "supervision_notice"};
    timers[name] = {{"due", FormatTime(t.due)}, {"stage", kStages[std::clamp(t.stage, 0, 3)]}};
  }
  j["timers"] = std::move(timers);
  const auto light = cases::LightOf(c);
  j["light"] = light == cases::Light::kRed ? "red" : light == cases::Light::kYellow ? "yellow" : "none";
  json sup = json::array();
  for (const auto& v : c.supervisions)
    sup.push_back({{"by", v.by}, {"at", FormatTime(v.at)}, {"note", v.note}, {"due", FormatTime(v.due)}});
  j["supervisions"] = std::move(sup);
  j["supervision_count"] = c.supervisions.size();
  if (c.whistle) {
    json parts = json::array();
    for (const auto& p : c.whistle->parts) {
      const auto* org = dir.FindOrg(p.org);
      parts.push_back({{"org", p.org},
                       {"name", org ? org->name : ""},
                       {"role", p.lead ? "lead" : "co"},
                       {"check_in_by", FormatTime(p.check_in_by)},
                       {"checked_in_at", Time(p.checked_in_at)},
                       {"missed", p.missed},
                       {"reported_at", Time(p.reported_at)},
                       {"note", p.note.empty() ? json(nullptr) : json(p.note)}});
    }
    j["whistle"] = {{"by", c.whistle->by}, {"at", FormatTime(c.whistle->at)}, {"parts", std::move(parts)}};
  } else {
    j["whistle"] = nullptr;
  }
  j["returned_by"] = c.returned_by.empty() ? json(nullptr) : json(c.returned_by);
  json joined = json::array();
  for (const auto& r : c.joined) {
    json x = ReporterJson(r.reporter, who);
    x["from_case"] = r.from ? json(r.from) : json(nullptr);
    x["rating"] = r.rating ? json(std::string(Name(*r.rating))) : json(nullptr);
    x["solved"] = r.solved ? json(*r.solved) : json(nullptr);
    joined.push_back(std::move(x));
  }
  j["joined_reporters"] = std::move(joined);
  return j;
}

// Writes one event field into the API's event payload (event_fields.h names it): times in RFC 3339, the
// origin as its public fields, set values only.
struct EventPayloadWriter {
  json& j;
  template <class T>
  void operator()(const char*, const char* key, const T& v) {
    if (!*key) return;  // not for the API
    if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::vector<std::string>> ||
                  std::is_same_v<T, std::vector<cases::CaseId>>) {
      if (!v.empty()) j[key] = v;
    } else if constexpr (std::is_same_v<T, std::optional<TimePoint>>) {
      if (v) j[key] = FormatTime(*v);
    } else if constexpr (std::is_same_v<T, std::optional<cases::Level>>) {
      if (v) j[key] = std::string(Name(*v));
    } else if constexpr (std::is_same_v<T, cases::Rating>) {
      j[key] = std::string(Name(v));
    } else if constexpr (std::is_same_v<T, cases::CaseOrigin>) {
      j["channel"] = v.channel;
      j["category"] = v.category;
      j["title"] = v.title;
      if (!v.grid.empty()) j["grid"] = v.grid;
    } else if constexpr (std::is_same_v<T, cases::Reporter>) {
      // never shown: a joined reporter's personal data stays in the case, behind reveal
    } else if constexpr (requires { v.has_value(); }) {
      if (v) j[key] = *v;
    } else {
      j[key] = v;
    }
  }
};

// The audit trail's entry: who, when, which command, through which door (null where an older store did not
// record it); the client's address only for an admin (it is the caller's personal data). `hide_actor`: the
// actor is an anonymous reporter acting as themselves (cases::HidesActor), so actor and address are null.
json EventJson(const cases::CaseEvent& e, const access::Subject* who, bool hide_actor) {
  json payload = json::object();
  std::visit([&](const auto& b) { cases::ForEachField(b, EventPayloadWriter{payload}); }, e.body);
  auto or_null = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
  json j = {{"seq", e.seq},
            {"type", std::string(Name(cases::TypeOf(e)))},
            {"actor", hide_actor ? json(nullptr) : json(e.actor)},
            {"at", FormatTime(e.at)},
            {"command", or_null(e.command)},
            {"channel", or_null(e.channel)},
            {"payload", payload}};
  if (who && access::IsAdmin(*who)) j["address"] = hide_actor ? json(nullptr) : or_null(e.address);
  return j;
}

Result<std::optional<double>> QueryNumber(const Request& req, const char* key, bool required) {
  std::optional<double> v;
  std::string error;
  if (!QueryNumberValue(req, key, v, error)) return Invalid(key, error);
  if (!v && required) return Invalid(key, std::string(key) + " is required");
  return v;
}

Result<cases::CaseId> ParseId(const std::string& text) {
  std::int64_t id = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || p != text.data() + text.size() || id <= 0)
    return NotFound("case '" + text + "' does not exist");
  return cases::CaseId(id);
}

// A request body as the action table's command parsers read it (cases::Fields).
class JsonFields final : public cases::Fields {
 public:
  explicit JsonFields(const json& j) : j_(j) {}
  Result<std::optional<std::string>> String(const char* key, bool required) const override {
    return GetString(j_, key, "", required);
  }
  Result<std::optional<double>> Number(const char* key, bool required) const override {
    return GetNumber(j_, key, "", required);
  }
  Result<std::optional<bool>> Bool(const char* key, bool required) const override {
    return GetBool(j_, key, "", required);
  }
  Result<std::optional<std::int64_t>> Integer(const char* key, bool required, std::int64_t min, std::int64_t max,
                                              const char* message) const override {
    auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) {
      if (required) return Invalid(key, std::string(key) + " is required");
      return std::optional<std::int64_t>();
    }
    if (!it->is_number_integer()) return Invalid(key, message);
    // Beyond int64: still not a valid value.
    if (it->is_number_unsigned() && it->get<std::uint64_t>() > std::uint64_t(max)) return Invalid(key, message);
    const auto v = it->get<std::int64_t>();
    if (v < min || v > max) return Invalid(key, message);
    return std::optional<std::int64_t>(v);
  }
  Result<std::optional<std::vector<std::string>>> Strings(const char* key) const override {
    auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) return std::optional<std::vector<std::string>>();
    const std::string message = std::string(key) + " must be an array of organisation codes";
    if (!it->is_array()) return Invalid(key, message);
    std::vector<std::string> out;
    for (const auto& x : *it) {
      if (!x.is_string()) return Invalid(key, message);
      out.push_back(x.get<std::string>());
    }
    return std::optional<std::vector<std::string>>(std::move(out));
  }

 private:
  const json& j_;
};

Result<cases::CaseQuery> ParseListQuery(const Request& req, const reference::Directory& dir) {
  cases::CaseQuery q;
  if (auto st = CheckQuery(req, {"status*", "category*", "org*", "region", "from", "to", "limit", "q", "level", "queue",
                                 "cursor", "number", "light", "overdue"});
      !st)
    return st.error();
  // Filters of the working lists not built yet (issue 16 item 12): refused by name, never silently ignored.
  for (const char* key : {"light", "overdue"})
    if (req.Query(key)) return BadRequest(key, std::string(key) + " is not supported yet");
  for (const auto& v : QueryValues(req, "status")) {
    auto s = cases::ParseCaseStatus(v);
    if (!s) return Invalid("status", "unknown status '" + v + "'");
    q.statuses.push_back(*s);
  }
  if (const auto* v = req.Query("region"); v && !v->empty()) {
    if (!dir.FindRegion(*v)) return Invalid("region", "unknown region '" + *v + "'");
    q.region_path = dir.PathOf(*v);
  }
  for (const auto& v : QueryValues(req, "category")) {
    if (v.empty()) continue;
    if (!dir.FindCategory(v)) return Invalid("category", "unknown category '" + v + "'");
    q.categories.push_back(v);
  }
  for (const auto& v : QueryValues(req, "org")) {
    if (v.empty()) continue;
    if (!dir.FindOrg(v)) return Invalid("org", "unknown organisation '" + v + "'");
    q.orgs.push_back(v);
  }
  if (const auto* v = req.Query("number"); v && !v->empty()) {
    if (v->size() > 64) return Invalid("number", "number is longer than 64 bytes");
    q.number = *v;
  }
  for (auto [key, target] : {std::pair{"from", &q.from}, std::pair{"to", &q.to}}) {
    if (const auto* v = req.Query(key); v && !v->empty()) {
      auto t = ParseTime(*v);
      if (!t) return Invalid(key, std::string(key) + " must be an RFC 3339 time or a date (YYYY-MM-DD)");
      *target = t;
    }
  }
  if (const auto* v = req.Query("limit")) {
    int limit = 0;
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), limit);
    if (ec != std::errc() || p != v->data() + v->size() || limit < 1 || limit > 500)
      return Invalid("limit", "limit must be an integer from 1 to 500");
    q.limit = limit;
  }
  if (const auto* v = req.Query("q"); v && !v->empty()) {
    if (v->size() > 1000) return Invalid("q", "q is longer than 1000 bytes");
    q.text = *v;
  }
  if (const auto* v = req.Query("level"); v && !v->empty()) {
    auto l = cases::ParseLevel(*v);
    if (!l) return Invalid("level", "level must be community, town or joint");
    q.level = l;
  }
  // The difficult-matters queue (滨不难 window): every case in joint handling.
  if (const auto* v = req.Query("queue"); v && !v->empty()) {
    if (*v != "difficult") return Invalid("queue", "queue must be 'difficult'");
    q.level = cases::Level::kJoint;
  }
  if (const auto* v = req.Query("cursor"); v && !v->empty()) {
    auto cursor = DecodeCursor(*v, !q.text.empty());
    if (!cursor.ok()) return cursor.error();
    if (cursor->before) q.before = cases::CaseId(*cursor->before);
    if (cursor->offset) q.offset = *cursor->offset;
  }
  return q;
}

}  // namespace

void AddCaseRoutes(Router& router, ApiDeps& deps) {
  router.Add("POST", "/api/v1/cases", [&deps](Request& req, const Call& call) -> Result<Response> {
    TRY_ASSIGN(body, ParseObject(req.body));
    TRY_ASSIGN(intake, ParseIntake(body));
    if (!access::CanTakeIn(*call.subject, intake.channel))
      return Forbidden("your roles do not allow intake on channel '" + intake.channel + "'");
    if (const auto* key = req.Header("idempotency-key")) intake.idempotency_key = *key;
    const auto dir = deps.directory().Get();
    // Without a place, a case belongs to the caller's own territory (a town's window, a community's visit).
    if (!intake.location && intake.region.empty())
      for (const auto& g : call.subject->grants)
        if (!g.path.empty()) {
          intake.region = g.scope;
          break;
        }
    TRY_ASSIGN(result, deps.cases.Intake(intake, call.origin(), call.CaseGuard("read", *dir)));
    Response r = JsonResponse(result.created ? 201 : 200, Dump(CaseJson(result.c, *dir, call.subject)));
    r.headers.emplace_back("Location", "/api/v1/cases/" + to_string(result.c.id));
    return r;
  });

  router.Add("GET", "/api/v1/cases", [&deps](Request& req, const Call& call) -> Result<Response> {
    const auto dir = deps.directory().Get();
    TRY_ASSIGN(query, ParseListQuery(req, *dir));
    query.visibility = cases::ListVisibility(*call.subject);
    TRY_ASSIGN(page, deps.cases.List(query));
    json items = json::array();
    for (const auto& c : page.items) items.push_back(CaseJson(c, *dir, call.subject));
    std::optional<std::string> next_cursor;
    if (page.next_before) next_cursor = EncodeKeysetCursor(page.next_before->value());
    else if (page.next_offset) next_cursor = EncodeOffsetCursor(*page.next_offset);
    json next = next_cursor ? json(*next_cursor) : json(nullptr);
    json j = {{"items", std::move(items)}, {"next_cursor", std::move(next)}};
    return JsonResponse(200, Dump(j));
  });

  // Open cases near a point, before reporting (the open 311 systems' most requested feature): what is
  // already known, so a resident can join it instead of filing again. Only what a public map would show.
  router.Add("GET", "/api/v1/cases/nearby", [&deps](Request& req, const Call&) -> Result<Response> {
    if (auto st = CheckQuery(req, {"lat", "lon", "radius", "crs", "category"}); !st) return st.error();
    TRY_ASSIGN(lat, QueryNumber(req, "lat", true));
    TRY_ASSIGN(lon, QueryNumber(req, "lon", true));
    TRY_ASSIGN(radius, QueryNumber(req, "radius", false));
    if (!(*lat >= -90 && *lat <= 90)) return Invalid("lat", "lat must be within ±90");
    if (!(*lon >= -180 && *lon <= 180)) return Invalid("lon", "lon must be within ±180");
    const double r = radius ? *radius : 500;
    if (!(r > 0 && r <= 2000)) return Invalid("radius", "radius must be 1 to 2000 metres");
    geo::Crs crs = geo::Crs::kWgs84;
    if (const auto* v = req.Query("crs"); v && !v->empty()) {
      auto parsed = geo::ParseCrs(*v);
      if (!parsed) return Invalid("crs", "crs must be wgs84, gcj02 or bd09");
      crs = *parsed;
    }
    const auto dir = deps.directory().Get();
    std::string category;
    if (const auto* v = req.Query("category"); v && !v->empty()) {
      if (!dir->FindCategory(*v)) return Invalid("category", "unknown category '" + *v + "'");
      category = *v;
    }
    const auto wgs = geo::ToWgs84(geo::LonLat{*lon, *lat}, crs);
    json items = json::array();
    if (!deps.open_cases) return Error{ErrorCode::kUnavailable, "the command centre is not running", {}, {}};
    for (const auto& hit : deps.open_cases->Near({wgs.lat, wgs.lon}, r, category, TimePoint{}, 50)) {
      auto c = deps.cases.Get(hit.id);
      if (!c.ok()) continue;
      const auto& o = c->origin;
      const auto* cat = dir->FindCategory(o.category);
      items.push_back({{"id", c->id},
                       {"number", o.number},
                       {"category", o.category},
                       {"category_name", cat ? json{{"zh", cat->name_zh}, {"en", cat->name_en}} : json(nullptr)},
                       {"title", o.title},
                       {"status", std::string(Name(c->status))},
                       {"location", {{"lat", o.location->lat}, {"lon", o.location->lon}}},
                       {"distance_m", std::lround(hit.meters)},
                       {"reporters", 1 + c->joined.size()},
                       {"created_at", FormatTime(c->created_at)}});
    }
    return JsonResponse(200, Dump(json{{"items", std::move(items)}, {"next_cursor", nullptr}}));
  });

  // Join an open case as a further reporter instead of filing a new one; asked for a rating on resolution.
  router.Add("POST", "/api/v1/cases/{id}/join", [&deps](Request& req, const Call& call) -> Result<Response> {
    TRY_ASSIGN(id, ParseId(req.params["id"]));
    TRY_ASSIGN(body, ParseObject(req.body.empty() ? std::string("{}") : req.body));
    cases::ReporterInput reporter;
    if (auto it = body.find("reporter"); it != body.end() && !it->is_null()) {
      if (!it->is_object()) return Invalid("reporter", "reporter must be an object {name, phone, anonymous}");
      TRY_ASSIGN(name, GetString(*it, "name", "reporter", false));
      TRY_ASSIGN(ph, GetString(*it, "phone", "reporter", false));
      TRY_ASSIGN(anonymous, GetBool(*it, "anonymous", "reporter", false));
      reporter.anonymous = anonymous.value_or(false);  // travels with the reporter (anonymity.h)
      reporter.name = name.value_or("");
      reporter.phone = ph.value_or("");
    }
    // Validation and idempotency are the domain's (cases::TakeReporter, cases::ReporterOf).
    const std::string resident = cases::JoinsForSelf(*call.subject) ? call.subject->login : std::string();
    const auto dir = deps.directory().Get();
    TRY_ASSIGN(joined, deps.cases.Join(id, reporter, resident, call.origin(), call.CaseGuard("join", *dir)));
    const auto& c = joined.c;
    // The joiner may not see the whole case: answer with what the nearby map shows.
    return JsonResponse(200, Dump(json{{"id", c.id},
                                       {"number", c.origin.number},
                                       {"status", std::string(Name(c.status))},
                                       {"reporters", 1 + c.joined.size()},
                                       {"reporter", joined.reporter}}));
  });

  router.Add("GET", "/api/v1/cases/{id}", [&deps](Request& req, const Call& call) -> Result<Response> {
    if (auto st = CheckQuery(req, {}); !st) return st.error();
    TRY_ASSIGN(id, ParseId(req.params["id"]));
    const auto dir = deps.directory().Get();
    TRY_ASSIGN(c, deps.cases.Get(id, call.CaseGuard("read", *dir)));
    return JsonResponse(200, Dump(CaseJson(c, *dir, call.subject)));
  });

  router.Add("GET", "/api/v1/cases/{id}/events", [&deps](Request& req, const Call& call) -> Result<Response> {
    if (auto st = CheckQuery(req, {}); !st) return st.error();
    TRY_ASSIGN(id, ParseId(req.params["id"]));
    const auto dir = deps.directory().Get();
    TRY_ASSIGN(events, deps.cases.Events(id, call.CaseGuard("read", *dir)));
    Case folded;  // who the reporters are, to leave out an anonymous one's login
    for (const auto& e : events) folded = cases::Evolve(folded, e);
    json items = json::array();
    for (const auto& e : events) items.push_back(EventJson(e, call.subject, cases::HidesActor(folded, e)));
    return JsonResponse(200, Dump(json{{"items", std::move(items)}, {"next_cursor", nullptr}}));
  });

  // One route per action of the table (domain/cases/actions.h): read the command, complete it with what the
  // caller knows, and act under the action's own rule.
  auto act = [&deps](const cases::Action& action) {
    return [&deps, &action](Request& req, const Call& call) -> Result<Response> {
      TRY_ASSIGN(id, ParseId(req.params["id"]));
      // An empty body stands for {} (accept and close carry nothing).
      TRY_ASSIGN(body, ParseObject(req.body.empty() ? std::string("{}") : req.body));
      TRY_ASSIGN(command, action.parse(JsonFields(body)));
      const auto dir = deps.directory().Get();
      if (action.complete) {
        // Who may act is asked first (403/404), then what the command names (422).
        TRY_ASSIGN(loaded, deps.cases.Get(id, call.CaseGuard(action.name, *dir)));
        if (auto st = action.complete(command, *call.subject, loaded, *dir); !st) return st.error();
      }
      TRY_ASSIGN(c, deps.cases.Act(id, command, call.origin(), call.CaseGuard(action.name, *dir)));
      return JsonResponse(200, Dump(CaseJson(c, *dir, call.subject)));
    };
  };
  for (const auto& action : cases::Actions())
    if (action.parse) router.Add("POST", "/api/v1/cases/{id}/" + std::string(action.name), act(action));

  // The full reporter: an explicit call, written to the security audit log.
  router.Add("POST", "/api/v1/cases/{id}/reveal", [&deps](Request& req, const Call& call) -> Result<Response> {
    TRY_ASSIGN(id, ParseId(req.params["id"]));
    const auto dir = deps.directory().Get();
    int reporter = 0;
    if (const auto* v = req.Query("reporter"); v && !v->empty()) {
      auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), reporter);
      if (ec != std::errc() || p != v->data() + v->size() || reporter < 0)
        return Invalid("reporter", "reporter must be 0 (the first) or a joined reporter's number");
    }
    TRY_ASSIGN(r, deps.cases.Reveal(id, call.CaseGuard("reveal", *dir), reporter));
    deps.auth.Audit(call.actor(), "reveal", "case " + to_string(id),
                    "reporter " + std::to_string(reporter) + ": name, phone, id_number", req.remote);
    return JsonResponse(200, Dump(json{{"name", r.name},
                                       {"phone", r.phone.empty() ? json(nullptr) : json(r.phone)},
                                       {"id_number", r.id_number.empty() ? json(nullptr) : json(r.id_number)}}));
  });
}

}  // namespace civicgrid::http
