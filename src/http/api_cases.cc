// /api/v1/cases: intake, the lifecycle actions, reads, lists and the audit trail.
#include <charconv>

#include "http/api.h"
#include "http/json_util.h"
#include "privacy/personal_data.h"

namespace civicgrid::http {
namespace {

using model::Case;


json Time(const std::optional<TimePoint>& t) { return t ? json(FormatTime(*t)) : json(nullptr); }

json Masked(const privacy::Sealed& v) { return v.empty() ? json(nullptr) : json(v.masked); }

// Reporter data always go out masked: a full value needs the audited reveal. An anonymous reporter is
// hidden from everyone but the dispatcher.
json ReporterJson(const model::Reporter& r, const auth::Subject* who) {
  if (r.anonymous && !(who && auth::CanSeeAnonymousReporter(*who))) return {{"anonymous", true}};
  return {{"name", privacy::MaskName(r.name)}, {"phone", Masked(r.phone)}, {"id_number", Masked(r.id_number)},
          {"anonymous", r.anonymous}};
}

json CaseJson(const Case& c, const regions::Directory& dir, const auth::Subject* who) {
  const auto& o = c.origin;
  json j = {{"id", c.id},
            {"number", o.number},
            {"channel", o.channel},
            {"external_id", o.external_id.empty() ? json(nullptr) : json(o.external_id)},
            {"category", o.category},
            {"title", o.title},
            {"description", o.description},
            {"address", o.address},
            {"status", std::string(model::Name(c.status))},
            {"deadlines", {{"accept_by", Time(c.accept_by)}, {"resolve_by", Time(c.resolve_by)}}},
            {"rating", c.rating ? json(std::string(model::Name(*c.rating))) : json(nullptr)},
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
            {"allowed_actions", cases::AllowedActions(c)}};
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
  return j;
}

json EventJson(const model::CaseEvent& e) {
  json payload = json::object();
  if (!e.org.empty()) payload["org"] = e.org;
  if (!e.text.empty()) {
    const char* key = "note";
    switch (e.type) {
      case model::EventType::kReturned:
      case model::EventType::kExtensionRequested:
      case model::EventType::kReopened:
      case model::EventType::kInvalidated: key = "reason"; break;
      case model::EventType::kRated: key = "comment"; break;
      default: break;
    }
    payload[key] = e.text;
  }
  if (e.days) payload["days"] = *e.days;
  if (e.approve) payload["approve"] = *e.approve;
  if (e.rating) payload["rating"] = std::string(model::Name(*e.rating));
  if (e.solved) payload["solved"] = *e.solved;
  if (e.into) payload["into"] = *e.into;
  if (e.accept_by) payload["accept_by"] = FormatTime(*e.accept_by);
  if (e.resolve_by) payload["resolve_by"] = FormatTime(*e.resolve_by);
  if (e.origin) {
    payload["channel"] = e.origin->channel;
    payload["category"] = e.origin->category;
    payload["title"] = e.origin->title;
    if (!e.origin->grid.empty()) payload["grid"] = e.origin->grid;
  }
  return {{"seq", e.seq}, {"type", std::string(model::Name(e.type))}, {"actor", e.actor},
          {"at", FormatTime(e.at)}, {"payload", payload}};
}

Result<model::CaseId> ParseId(const std::string& text) {
  model::CaseId id = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || p != text.data() + text.size() || id <= 0)
    return NotFound("case '" + text + "' does not exist");
  return id;
}

Result<cases::IntakeRequest> ParseIntake(const json& j) {
  cases::IntakeRequest r;
  auto str = [&](const char* key, bool required, std::string& out) -> Status {
    auto v = GetString(j, key, "", required);
    if (!v.ok()) return v.error();
    if (*v) out = **v;
    return OkStatus();
  };
  for (auto [key, required, out] : {std::tuple{"channel", true, &r.channel}, std::tuple{"category", true, &r.category},
                                    std::tuple{"title", true, &r.title}, std::tuple{"external_id", false, &r.external_id},
                                    std::tuple{"description", false, &r.description},
                                    std::tuple{"address", false, &r.address}, std::tuple{"region", false, &r.region}})
    if (auto st = str(key, required, *out); !st) return st.error();
  if (auto it = j.find("location"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return Invalid("location", "location must be an object {lat, lon, crs}");
    auto lat = GetNumber(*it, "lat", "location", true);
    if (!lat.ok()) return lat.error();
    auto lon = GetNumber(*it, "lon", "location", true);
    if (!lon.ok()) return lon.error();
    auto crs = GetString(*it, "crs", "location", false);
    if (!crs.ok()) return crs.error();
    if (*crs) {
      auto parsed = geo::ParseCrs(**crs);
      if (!parsed) return Invalid("location.crs", "crs must be wgs84, gcj02 or bd09");
      r.crs = *parsed;
    }
    r.location = geo::LonLat{**lon, **lat};
  }
  if (auto it = j.find("reporter"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return Invalid("reporter", "reporter must be an object {name, phone, id_number, anonymous}");
    for (auto [key, out] : {std::pair{"name", &r.reporter_name}, std::pair{"phone", &r.reporter_phone},
                            std::pair{"id_number", &r.reporter_id_number}}) {
      auto v = GetString(*it, key, "reporter", false);
      if (!v.ok()) return v.error();
      *out = v->value_or("");
    }
    auto anon = GetBool(*it, "anonymous", "reporter", false);
    if (!anon.ok()) return anon.error();
    r.anonymous = anon->value_or(false);
  }
  return r;
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
#define GET(var, expr)            \
  auto var = (expr);              \
  if (!var.ok()) return var.error()
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
    auto rating = model::ParseRating(*rating_text);
    if (!rating) return Invalid("rating", "rating must be satisfied, basically_satisfied or dissatisfied");
    GET(solved, flag("solved"));
    GET(comment, text("comment", false));
    return cases::Command{cases::Rate{*rating, *solved, *comment}};
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
    return cases::Command{cases::Merge{it->get<model::CaseId>()}};
  }
#undef GET
  return NotFound("no action " + action);
}

std::string EncodeCursor(model::CaseId id) { return "c" + std::to_string(id); }

Result<store::CaseQuery> ParseListQuery(const Request& req, const regions::Directory& dir) {
  store::CaseQuery q;
  if (const auto* v = req.Query("status")) {
    auto s = model::ParseCaseStatus(*v);
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
  if (const auto* v = req.Query("cursor"); v && !v->empty()) {
    model::CaseId id = 0;
    const char* b = v->data() + 1;
    const char* e = v->data() + v->size();
    auto [p, ec] = std::from_chars(b, e, id);
    if ((*v)[0] != 'c' || ec != std::errc() || p != e || id <= 0)
      return BadRequest("cursor", "cursor is not one this server issued");
    q.before = id;
  }
  if (req.Query("q")) return Invalid("q", "full-text search is not available yet");
  return q;
}

}  // namespace

void AddCaseRoutes(Router& router, ApiDeps& deps) {
  router.Add("POST", "/api/v1/cases", [&deps](Request& req, const Call& call) {
    TRY_ASSIGN(body, ParseObject(req.body));
    TRY_ASSIGN(intake, ParseIntake(body));
    if (!auth::CanTakeIn(*call.subject, intake.channel))
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
    TRY_ASSIGN(result, deps.cases.Intake(intake, call.actor(), call.CaseGuard(auth::Verb::kRead, *dir)));
    Response r = JsonResponse(result.created ? 201 : 200, Dump(CaseJson(result.c, *dir, call.subject)));
    r.headers.emplace_back("Location", "/api/v1/cases/" + std::to_string(result.c.id));
    return r;
  });

  router.Add("GET", "/api/v1/cases", [&deps](Request& req, const Call& call) {
    const auto dir = deps.directory.Get();
    TRY_ASSIGN(query, ParseListQuery(req, *dir));
    query.visibility = auth::ListVisibility(*call.subject);
    TRY_ASSIGN(page, deps.cases.List(query));
    json items = json::array();
    for (const auto& c : page.items) items.push_back(CaseJson(c, *dir, call.subject));
    json j = {{"items", std::move(items)},
              {"next_cursor", page.next_before ? json(EncodeCursor(*page.next_before)) : json(nullptr)}};
    return JsonResponse(200, Dump(j));
  });

  router.Add("GET", "/api/v1/cases/{id}", [&deps](Request& req, const Call& call) {
    TRY_ASSIGN(id, ParseId(req.params["id"]));
    const auto dir = deps.directory.Get();
    TRY_ASSIGN(c, deps.cases.Get(id, call.CaseGuard(auth::Verb::kRead, *dir)));
    return JsonResponse(200, Dump(CaseJson(c, *dir, call.subject)));
  });

  router.Add("GET", "/api/v1/cases/{id}/events", [&deps](Request& req, const Call& call) {
    TRY_ASSIGN(id, ParseId(req.params["id"]));
    const auto dir = deps.directory.Get();
    TRY_ASSIGN(events, deps.cases.Events(id, call.CaseGuard(auth::Verb::kRead, *dir)));
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
      TRY_ASSIGN(c, deps.cases.Act(id, command, call.actor(), call.CaseGuard(*auth::VerbOfAction(action), *dir)));
      return JsonResponse(200, Dump(CaseJson(c, *dir, call.subject)));
    };
  };
  for (const char* action : {"dispatch", "accept", "contact", "return", "extension", "resolve", "review", "rating",
                             "close", "reopen", "invalid", "merge"})
    router.Add("POST", std::string("/api/v1/cases/{id}/") + action, act(action));
  router.Add("POST", "/api/v1/cases/{id}/extension/decision", act("extension/decision"));

  // The full reporter: an explicit call, written to the security audit log.
  router.Add("POST", "/api/v1/cases/{id}/reveal", [&deps](Request& req, const Call& call) {
    TRY_ASSIGN(id, ParseId(req.params["id"]));
    const auto dir = deps.directory.Get();
    TRY_ASSIGN(r, deps.cases.Reveal(id, call.CaseGuard(auth::Verb::kReveal, *dir)));
    deps.auth.Audit(call.actor(), "reveal", "case " + std::to_string(id), "reporter name, phone, id_number",
                    req.remote);
    return JsonResponse(200, Dump(json{{"name", r.name},
                                       {"phone", r.phone.empty() ? json(nullptr) : json(r.phone)},
                                       {"id_number", r.id_number.empty() ? json(nullptr) : json(r.id_number)}}));
  });
}

}  // namespace civicgrid::http
