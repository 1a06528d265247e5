// /api/v1/cases: intake, the lifecycle actions, reads, lists and the audit trail.
#include <algorithm>
#include <charconv>
#include <cmath>

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

// Reporter data always go out masked: a full value needs the audited reveal. An anonymous reporter is
// hidden from everyone but the dispatcher.
json ReporterJson(const cases::Reporter& r, const access::Subject* who) {
  if (r.anonymous && !(who && access::CanSeeAnonymousReporter(*who))) return {{"anonymous", true}};
  return {{"name", privacy::MaskName(r.name)}, {"phone", Masked(r.phone)}, {"id_number", Masked(r.id_number)},
          {"anonymous", r.anonymous}};
}

// What the caller may do now: allowed in the case's state and by the caller's roles and scopes (the same
// CanDo the action's guard asks), so a console shows only buttons that work. Without a caller: the state's.
std::vector<std::string> AllowedFor(const Case& c, const reference::Directory& dir, const access::Subject* who) {
  std::vector<std::string> out = cases::AllowedActions(c);
  if (who)
    std::erase_if(out, [&](const std::string& action) {
      const auto verb = access::VerbOfAction(action);
      return !verb || !access::CanDo(*who, *verb, c, dir);
    });
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
      parts.push_back({{"org", p.org}, {"name", org ? org->name : ""}, {"role", p.lead ? "lead" : "co"},
                       {"check_in_by", FormatTime(p.check_in_by)}, {"checked_in_at", Time(p.checked_in_at)},
                       {"missed", p.missed}, {"reported_at", Time(p.reported_at)},
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

json EventJson(const cases::CaseEvent& e) {
  json payload = json::object();
  if (!e.org.empty()) payload["org"] = e.org;
  if (!e.text.empty()) {
    const char* key = "note";
    switch (e.type) {
      case cases::EventType::kReturned:
      case cases::EventType::kExtensionRequested:
      case cases::EventType::kReopened:
      case cases::EventType::kEscalated:
      case cases::EventType::kInvalidated: key = "reason"; break;
      case cases::EventType::kDispatched: key = e.rule ? "reason" : "note"; break;
      case cases::EventType::kRated: key = "comment"; break;
      default: break;
    }
    payload[key] = e.text;
  }
  if (e.days) payload["days"] = *e.days;
  if (e.approve) payload["approve"] = *e.approve;
  if (e.rating) payload["rating"] = std::string(Name(*e.rating));
  if (e.solved) payload["solved"] = *e.solved;
  if (e.into) payload["into"] = *e.into;
  if (e.accept_by) payload["accept_by"] = FormatTime(*e.accept_by);
  if (e.resolve_by) payload["resolve_by"] = FormatTime(*e.resolve_by);
  if (e.due) payload["due"] = FormatTime(*e.due);
  if (!e.deadline.empty()) payload["deadline"] = e.deadline;
  if (e.level) payload["level"] = std::string(Name(*e.level));
  if (!e.trigger.empty()) payload["trigger"] = e.trigger;
  if (!e.orgs.empty()) payload["co"] = e.orgs;
  if (e.rule) payload["rule"] = *e.rule;
  if (!e.duplicates.empty()) payload["duplicates"] = e.duplicates;
  if (e.from) payload["from_case"] = *e.from;
  if (e.reporter_index) payload["reporter"] = *e.reporter_index;
  if (e.origin) {
    payload["channel"] = e.origin->channel;
    payload["category"] = e.origin->category;
    payload["title"] = e.origin->title;
    if (!e.origin->grid.empty()) payload["grid"] = e.origin->grid;
  }
  return {{"seq", e.seq}, {"type", std::string(Name(e.type))}, {"actor", e.actor},
          {"at", FormatTime(e.at)}, {"payload", payload}};
}

Result<std::optional<double>> QueryNumber(const Request& req, const char* key, bool required) {
  std::optional<double> v;
  std::string error;
  if (!QueryNumberValue(req, key, v, error)) return Invalid(key, error);
  if (!v && required) return Invalid(key, std::string(key) + " is required");
  return v;
}

Result<cases::CaseId> ParseId(const std::string& text) {
  cases::CaseId id = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || p != text.data() + text.size() || id <= 0)
    return NotFound("case '" + text + "' does not exist");
  return id;
}

Result<cases::Command> ParseCommand(const std::string& action, const json& j) {
  auto text = [&](const char* key, bool required) -> Result<std::string> {
    auto v = GetString(j, key, "", required);
    if (!v.ok()) return v.error();
    return v->value_or("");
  };
  auto flag = [&](const char* key) -> Result<bool> {
    auto v = GetBool(j, key, "", true);
    if (!v.ok()) return v.error();
    return **v;
  };
  // NOLINTBEGIN(bugprone-macro-parentheses): `var` names the variable declared.
#define GET(var, expr)            \
  auto var = (expr);              \
  if (!var.ok()) return var.error()
  // NOLINTEND(bugprone-macro-parentheses)
  if (action == "dispatch") {
    GET(org, text("org", true));
    return cases::Command{cases::Dispatch{*org}};
  }
  if (action == "accept") return cases::Command{cases::Accept{}};
  if (action == "contact") {
    GET(note, text("note", false));
    return cases::Command{cases::Contact{*note}};
  }
  if (action == "return") {
    GET(reason, text("reason", true));
    return cases::Command{cases::Return{*reason}};
  }
  if (action == "extension") {
    auto days = GetNumber(j, "days", "", true);
    if (!days.ok()) return days.error();
    GET(reason, text("reason", true));
    return cases::Command{cases::RequestExtension{**days, *reason}};
  }
  if (action == "extension/decision") {
    GET(approve, flag("approve"));
    GET(note, text("note", false));
    return cases::Command{cases::DecideExtension{*approve, *note}};
  }
  if (action == "resolve") {
    GET(note, text("note", true));
    return cases::Command{cases::Resolve{*note}};
  }
  if (action == "review") {
    GET(approve, flag("approve"));
    GET(note, text("note", false));
    return cases::Command{cases::Review{*approve, *note}};
  }
  if (action == "rating") {
    GET(rating_text, text("rating", true));
    auto rating = cases::ParseRating(*rating_text);
    if (!rating) return Invalid("rating", "rating must be satisfied, basically_satisfied or dissatisfied");
    GET(solved, flag("solved"));
    GET(comment, text("comment", false));
    int reporter = 0;
    if (auto it = j.find("reporter"); it != j.end() && !it->is_null()) {
      if (!it->is_number_integer() || it->get<std::int64_t>() < 0 || it->get<std::int64_t>() > 1000)
        return Invalid("reporter", "reporter must be 0 (the first reporter) or the number of a joined reporter");
      reporter = it->get<int>();
    }
    return cases::Command{cases::Rate{*rating, *solved, *comment, reporter}};
  }
  if (action == "escalate") {
    GET(reason, text("reason", true));
    return cases::Command{cases::Escalate{*reason}};
  }
  if (action == "whistle") {
    GET(lead, text("lead", true));
    cases::BlowWhistle w;
    w.lead = *lead;
    if (auto it = j.find("co"); it != j.end() && !it->is_null()) {
      if (!it->is_array()) return Invalid("co", "co must be an array of organisation codes");
      for (const auto& x : *it) {
        if (!x.is_string()) return Invalid("co", "co must be an array of organisation codes");
        w.co.push_back(x.get<std::string>());
      }
    }
    auto hours = GetNumber(j, "check_in_hours", "", false);
    if (!hours.ok()) return hours.error();
    w.check_in_hours = *hours;
    GET(note, text("note", false));
    w.note = *note;
    return cases::Command{std::move(w)};
  }
  if (action == "check-in") {
    GET(org, text("org", false));
    return cases::Command{cases::CheckIn{*org}};
  }
  if (action == "part") {
    GET(org, text("org", false));
    GET(note, text("note", true));
    return cases::Command{cases::ReportPart{*org, *note}};
  }
  if (action == "supervise") {
    GET(note, text("note", true));
    GET(due_text, text("due", true));
    auto due = ParseTime(*due_text);
    if (!due) return Invalid("due", "due must be an RFC 3339 time");
    auto esc = GetBool(j, "escalate", "", false);
    if (!esc.ok()) return esc.error();
    return cases::Command{cases::Supervise{*note, *due, esc->value_or(false)}};
  }
  if (action == "return/decision") {
    GET(uphold, flag("uphold"));
    GET(org, text("org", false));
    GET(note, text("note", false));
    return cases::Command{cases::DecideReturn{*uphold, *org, *note}};
  }
  if (action == "close") return cases::Command{cases::Close{}};
  if (action == "reopen") {
    GET(reason, text("reason", true));
    return cases::Command{cases::Reopen{*reason}};
  }
  if (action == "invalid") {
    GET(reason, text("reason", true));
    return cases::Command{cases::MarkInvalid{*reason}};
  }
  if (action == "merge") {
    auto it = j.find("into");
    if (it == j.end() || it->is_null()) return Invalid("into", "into is required");
    if (!it->is_number_integer()) return Invalid("into", "into must be a case id (an integer)");
    return cases::Command{cases::Merge{it->get<cases::CaseId>()}};
  }
#undef GET
  return NotFound("no action " + action);
}

Result<cases::CaseQuery> ParseListQuery(const Request& req, const reference::Directory& dir) {
  cases::CaseQuery q;
  if (const auto* v = req.Query("status")) {
    auto s = cases::ParseCaseStatus(*v);
    if (!s) return Invalid("status", "unknown status '" + *v + "'");
    q.status = s;
  }
  if (const auto* v = req.Query("region"); v && !v->empty()) {
    if (!dir.FindRegion(*v)) return Invalid("region", "unknown region '" + *v + "'");
    q.region_path = dir.PathOf(*v);
  }
  if (const auto* v = req.Query("category"); v && !v->empty()) {
    if (!dir.FindCategory(*v)) return Invalid("category", "unknown category '" + *v + "'");
    q.category = *v;
  }
  if (const auto* v = req.Query("org"); v && !v->empty()) {
    if (!dir.FindOrg(*v)) return Invalid("org", "unknown organisation '" + *v + "'");
    q.org = *v;
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
    if (cursor->before) q.before = *cursor->before;
    if (cursor->offset) q.offset = *cursor->offset;
  }
  return q;
}

}  // namespace

void AddCaseRoutes(Router& router, ApiDeps& deps) {
  router.Add("POST", "/api/v1/cases", [&deps](Request& req, const Call& call) {
    TRY_ASSIGN(body, ParseObject(req.body));
    TRY_ASSIGN(intake, ParseIntake(body));
    if (!access::CanTakeIn(*call.subject, intake.channel))
      return ProblemResponse(Forbidden("your roles do not allow intake on channel '" + intake.channel + "'"));
    if (const auto* key = req.Header("idempotency-key")) intake.idempotency_key = *key;
    const auto dir = deps.directory.Get();
    // Without a place, a case belongs to the caller's own territory (a town's window, a community's visit).
    if (!intake.location && intake.region.empty())
      for (const auto& g : call.subject->grants)
        if (!g.path.empty()) {
          intake.region = g.scope;
          break;
        }
    TRY_ASSIGN(result, deps.cases.Intake(intake, call.actor(), call.CaseGuard(access::Verb::kRead, *dir)));
    Response r = JsonResponse(result.created ? 201 : 200, Dump(CaseJson(result.c, *dir, call.subject)));
    r.headers.emplace_back("Location", "/api/v1/cases/" + std::to_string(result.c.id));
    return r;
  });

  router.Add("GET", "/api/v1/cases", [&deps](Request& req, const Call& call) {
    const auto dir = deps.directory.Get();
    TRY_ASSIGN(query, ParseListQuery(req, *dir));
    query.visibility = access::ListVisibility(*call.subject);
    TRY_ASSIGN(page, deps.cases.List(query));
    json items = json::array();
    for (const auto& c : page.items) items.push_back(CaseJson(c, *dir, call.subject));
    std::optional<std::string> next_cursor;
    if (page.next_before) next_cursor = EncodeKeysetCursor(*page.next_before);
    else if (page.next_offset) next_cursor = EncodeOffsetCursor(*page.next_offset);
    json next = next_cursor ? json(*next_cursor) : json(nullptr);
    json j = {{"items", std::move(items)}, {"next_cursor", std::move(next)}};
    return JsonResponse(200, Dump(j));
  });

  // Open cases near a point, before reporting (the open 311 systems' most requested feature): what is
  // already known, so a resident can join it instead of filing again. Only what a public map would show.
  router.Add("GET", "/api/v1/cases/nearby", [&deps](Request& req, const Call&) {
    TRY_ASSIGN(lat, QueryNumber(req, "lat", true));
    TRY_ASSIGN(lon, QueryNumber(req, "lon", true));
    TRY_ASSIGN(radius, QueryNumber(req, "radius", false));
    if (!(*lat >= -90 && *lat <= 90)) return ProblemResponse(Invalid("lat", "lat must be within ±90"));
    if (!(*lon >= -180 && *lon <= 180)) return ProblemResponse(Invalid("lon", "lon must be within ±180"));
    const double r = radius ? *radius : 500;
    if (!(r > 0 && r <= 2000)) return ProblemResponse(Invalid("radius", "radius must be 1 to 2000 metres"));
    geo::Crs crs = geo::Crs::kWgs84;
    if (const auto* v = req.Query("crs"); v && !v->empty()) {
      auto parsed = geo::ParseCrs(*v);
      if (!parsed) return ProblemResponse(Invalid("crs", "crs must be wgs84, gcj02 or bd09"));
      crs = *parsed;
    }
    const auto dir = deps.directory.Get();
    std::string category;
    if (const auto* v = req.Query("category"); v && !v->empty()) {
      if (!dir->FindCategory(*v)) return ProblemResponse(Invalid("category", "unknown category '" + *v + "'"));
      category = *v;
    }
    const auto wgs = geo::ToWgs84(geo::LonLat{*lon, *lat}, crs);
    json items = json::array();
    if (!deps.open_cases) return ProblemResponse(Error{ErrorCode::kUnavailable, "the command centre is not running", {}, {}});
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
  router.Add("POST", "/api/v1/cases/{id}/join", [&deps](Request& req, const Call& call) {
    TRY_ASSIGN(id, ParseId(req.params["id"]));
    TRY_ASSIGN(body, ParseObject(req.body.empty() ? std::string("{}") : req.body));
    cases::Reporter reporter;
    std::string phone;
    if (auto it = body.find("reporter"); it != body.end() && !it->is_null()) {
      if (!it->is_object()) return ProblemResponse(Invalid("reporter", "reporter must be an object {name, phone}"));
      TRY_ASSIGN(name, GetString(*it, "name", "reporter", false));
      TRY_ASSIGN(ph, GetString(*it, "phone", "reporter", false));
      reporter.name = name.value_or("");
      phone = ph.value_or("");
    }
    if (cases::Utf8Length(reporter.name) > 100)
      return ProblemResponse(Invalid("reporter.name", "name is longer than 100 characters"));
    if (!phone.empty()) {
      auto normal = privacy::NormalizePhone(phone);
      if (!normal) return ProblemResponse(Invalid("reporter.phone", "phone must be a mainland mobile or fixed-line number"));
      reporter.phone = deps.vault->Seal(*normal, privacy::MaskPhone(*normal));
    }
    const auto dir = deps.directory.Get();
    TRY_ASSIGN(c, deps.cases.Act(id, cases::Join{reporter, 0}, call.actor(), call.CaseGuard(access::Verb::kJoin, *dir)));
    // The joiner may not see the whole case: answer with what the nearby map shows.
    return JsonResponse(200, Dump(json{{"id", c.id}, {"number", c.origin.number},
                                       {"status", std::string(Name(c.status))},
                                       {"reporters", 1 + c.joined.size()}, {"reporter", c.joined.size()}}));
  });

  router.Add("GET", "/api/v1/cases/{id}", [&deps](Request& req, const Call& call) {
    TRY_ASSIGN(id, ParseId(req.params["id"]));
    const auto dir = deps.directory.Get();
    TRY_ASSIGN(c, deps.cases.Get(id, call.CaseGuard(access::Verb::kRead, *dir)));
    return JsonResponse(200, Dump(CaseJson(c, *dir, call.subject)));
  });

  router.Add("GET", "/api/v1/cases/{id}/events", [&deps](Request& req, const Call& call) {
    TRY_ASSIGN(id, ParseId(req.params["id"]));
    const auto dir = deps.directory.Get();
    TRY_ASSIGN(events, deps.cases.Events(id, call.CaseGuard(access::Verb::kRead, *dir)));
    json items = json::array();
    for (const auto& e : events) items.push_back(EventJson(e));
    return JsonResponse(200, Dump(json{{"items", std::move(items)}, {"next_cursor", nullptr}}));
  });

  auto act = [&deps](const std::string& action) {
    return [&deps, action](Request& req, const Call& call) {
      TRY_ASSIGN(id, ParseId(req.params["id"]));
      // An empty body stands for {} (accept and close carry nothing).
      TRY_ASSIGN(body, ParseObject(req.body.empty() ? std::string("{}") : req.body));
      TRY_ASSIGN(command, ParseCommand(action, body));
      const auto dir = deps.directory.Get();
      // Check-in and parts: the department acts for itself; one who acts for several names it ("org").
      auto* check_in = std::get_if<cases::CheckIn>(&command);
      auto* part = std::get_if<cases::ReportPart>(&command);
      if (check_in || part) {
        std::string& org = check_in ? check_in->org : part->org;
        if (org.empty()) {
          auto loaded = deps.cases.Get(id, call.CaseGuard(access::Verb::kRead, *dir));
          if (!loaded.ok()) return ProblemResponse(loaded.error());
          const auto mine = access::WhistleOrgsOf(*call.subject, *loaded, *dir);
          if (mine.empty()) return ProblemResponse(Forbidden("you act for no department of this whistle"));
          if (mine.size() > 1)
            return ProblemResponse(Invalid("org", "you act for several departments of this whistle: name one as org"));
          org = mine[0];
        } else if (!access::ActsFor(*call.subject, org, *dir)) {
          return ProblemResponse(Forbidden("you do not act for '" + org + "'"));
        }
      }
      // Ratings of joined reporters are taken by the centre's follow-up call.
      if (const auto* rate = std::get_if<cases::Rate>(&command);
          rate && rate->reporter != 0 && !call.subject->Has(access::Role::kDispatcher) && !access::IsAdmin(*call.subject))
        return ProblemResponse(Forbidden("only the centre records the ratings of joined reporters"));
      TRY_ASSIGN(c, deps.cases.Act(id, command, call.actor(), call.CaseGuard(*access::VerbOfAction(action), *dir)));
      return JsonResponse(200, Dump(CaseJson(c, *dir, call.subject)));
    };
  };
  for (const char* action : {"dispatch", "accept", "contact", "return", "extension", "resolve", "review", "rating",
                             "close", "reopen", "invalid", "merge", "escalate", "whistle", "check-in", "part",
                             "supervise"})
    router.Add("POST", std::string("/api/v1/cases/{id}/") + action, act(action));
  router.Add("POST", "/api/v1/cases/{id}/extension/decision", act("extension/decision"));
  router.Add("POST", "/api/v1/cases/{id}/return/decision", act("return/decision"));

  // The full reporter: an explicit call, written to the security audit log.
  router.Add("POST", "/api/v1/cases/{id}/reveal", [&deps](Request& req, const Call& call) {
    TRY_ASSIGN(id, ParseId(req.params["id"]));
    const auto dir = deps.directory.Get();
    int reporter = 0;
    if (const auto* v = req.Query("reporter"); v && !v->empty()) {
      auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), reporter);
      if (ec != std::errc() || p != v->data() + v->size() || reporter < 0)
        return ProblemResponse(Invalid("reporter", "reporter must be 0 (the first) or a joined reporter's number"));
    }
    TRY_ASSIGN(r, deps.cases.Reveal(id, call.CaseGuard(access::Verb::kReveal, *dir), reporter));
    deps.auth.Audit(call.actor(), "reveal", "case " + std::to_string(id),
                    "reporter " + std::to_string(reporter) + ": name, phone, id_number", req.remote);
    return JsonResponse(200, Dump(json{{"name", r.name},
                                       {"phone", r.phone.empty() ? json(nullptr) : json(r.phone)},
                                       {"id_number", r.id_number.empty() ? json(nullptr) : json(r.id_number)}}));
  });
}

}  // namespace civicgrid::http
