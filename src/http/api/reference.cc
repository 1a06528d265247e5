// Reference data and geography: login, categories, organisations, regions (read and import), locate.
#include <charconv>
#include <cmath>
#include <set>

#include "geo/crs.h"
#include "http/api.h"
#include "http/json_util.h"
#include "reference/geojson.h"

namespace civicgrid::http {
namespace {

json RegionRef(const reference::Region& r) {
  return {{"code", r.code}, {"name", r.name}, {"kind", std::string(Name(r.kind))}};
}

json CategoryJson(const reference::Category& c) {
  return {{"code", c.code},
          {"parent", c.parent.empty() ? json(nullptr) : json(c.parent)},
          {"name_zh", c.name_zh},
          {"name_en", c.name_en},
          {"accept_hours", c.accept_hours},
          {"resolve_days", c.resolve_days}};
}

Result<double> ParseCoordinate(const Request& req, const char* key, double limit) {
  const auto* v = req.Query(key);
  if (!v || v->empty()) return Invalid(key, std::string(key) + " is required");
  double d = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), d);
  if (ec != std::errc() || p != v->data() + v->size() || !std::isfinite(d))
    return Invalid(key, std::string(key) + " must be a number");
  if (d < -limit || d > limit) return Invalid(key, std::string(key) + " must be within ±" + std::to_string(int(limit)));
  return d;
}

}  // namespace

void AddReferenceRoutes(Router& router, ApiDeps& deps) {
  router.Add(
      "POST", "/api/v1/login",
      [&deps](Request& req, const Call&) -> Result<Response> {
        TRY_ASSIGN(body, ParseObject(req.body));
        TRY_ASSIGN(login, GetString(body, "login", "", true));
        TRY_ASSIGN(password, GetString(body, "password", "", true));
        TRY_ASSIGN(otp, GetString(body, "otp", "", false));
        TRY_ASSIGN(token, deps.auth.Login(*login, *password, otp.value_or(""), req.remote));
        return JsonResponse(200, Dump(json{{"token", token.token}, {"expires_at", FormatTime(token.expires_at)}}));
      },
      Access::kPublic);

  router.Add(
      "POST", "/api/v1/password",
      [&deps](Request& req, const Call&) -> Result<Response> {
        TRY_ASSIGN(body, ParseObject(req.body));
        TRY_ASSIGN(login, GetString(body, "login", "", true));
        TRY_ASSIGN(password, GetString(body, "password", "", true));
        TRY_ASSIGN(new_password, GetString(body, "new_password", "", true));
        TRY_ASSIGN(otp, GetString(body, "otp", "", false));
        if (auto st = deps.auth.ChangePassword(*login, *password, otp.value_or(""), *new_password, req.remote); !st)
          return st.error();
        Response r;
        r.status = 204;
        return r;
      },
      Access::kPublic);

  router.Add(
      "GET", "/api/v1/audit",
      [&deps](Request& req, const Call& call) -> Result<Response> {
        if (auto st = CheckQuery(req, {"cursor", "limit"}); !st) return st.error();
        int limit = 100;
        if (const auto* v = req.Query("limit")) {
          auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), limit);
          if (ec != std::errc() || p != v->data() + v->size() || limit < 1 || limit > 500)
            return Invalid("limit", "limit must be an integer from 1 to 500");
        }
        std::optional<std::int64_t> before;
        if (const auto* c = req.Query("cursor"); c && !c->empty()) {
          std::int64_t v = 0;
          auto [p, ec] = std::from_chars(c->data(), c->data() + c->size(), v);
          if (ec != std::errc() || p != c->data() + c->size() || v <= 0)
            return BadRequest("cursor", "cursor is not one this server issued");
          before = v;
        }
        TRY_ASSIGN(records, deps.store.access().ListAudit(before, limit));
        json items = json::array();
        for (const auto& r : records)
          items.push_back({{"id", r.id},
                           {"at", FormatTime(r.at)},
                           {"actor", r.actor},
                           {"action", r.action},
                           {"target", r.target},
                           {"detail", r.detail},
                           {"remote", r.remote}});
        deps.auth.Audit(call.actor(), "audit_read", "security_audit", "", req.remote);
        const bool more = records.size() == size_t(limit);
        return JsonResponse(
            200, Dump(json{{"items", items},
                           {"next_cursor", more ? json(std::to_string(records.back().id)) : json(nullptr)}}));
      },
      Access::kAdmin);

  router.Add("POST", "/api/v1/logout", [&deps](Request& req, const Call& call) -> Result<Response> {
    const auto* h = req.Header("authorization");
    if (auto st = deps.auth.Logout(h->substr(7)); !st) return st.error();
    deps.auth.Audit(call.actor(), "logout", call.actor(), "", req.remote);
    Response r;
    r.status = 204;
    return r;
  });

  router.Add("GET", "/api/v1/me", [](Request& req, const Call& call) -> Result<Response> {
    if (auto st = CheckQuery(req, {}); !st) return st.error();

    json roles = json::array();
    for (const auto& [role, scope] : call.principal->roles) roles.push_back({{"role", role}, {"scope", scope}});
    return JsonResponse(200, Dump(json{{"login", call.principal->login}, {"roles", roles}}));
  });

  router.Add("GET", "/api/v1/categories", [&deps](Request& req, const Call&) -> Result<Response> {
    if (auto st = CheckQuery(req, {}); !st) return st.error();

    json items = json::array();
    for (const auto& c : deps.directory().Get()->categories()) items.push_back(CategoryJson(c));
    return JsonResponse(200, Dump(json{{"items", items}, {"next_cursor", nullptr}}));
  });

  router.Add(
      "POST", "/api/v1/categories",
      [&deps](Request& req, const Call&) -> Result<Response> {
        TRY_ASSIGN(body, ParseObject(req.body));
        TRY_ASSIGN(code, GetString(body, "code", "", true));
        TRY_ASSIGN(parent, GetString(body, "parent", "", false));
        TRY_ASSIGN(name_zh, GetString(body, "name_zh", "", true));
        TRY_ASSIGN(name_en, GetString(body, "name_en", "", false));
        TRY_ASSIGN(accept_hours, GetNumber(body, "accept_hours", "", true));
        TRY_ASSIGN(resolve_days, GetNumber(body, "resolve_days", "", true));
        TRY_ASSIGN(c, deps.reference.AddCategory(
                          {*code, parent.value_or(""), *name_zh, name_en.value_or(""), *accept_hours, *resolve_days}));
        return JsonResponse(201, Dump(CategoryJson(c)));
      },
      Access::kAdmin);

  router.Add("GET", "/api/v1/orgs", [&deps](Request& req, const Call&) -> Result<Response> {
    if (auto st = CheckQuery(req, {"kind"}); !st) return st.error();

    const auto dir = deps.directory().Get();
    const auto* kind = req.Query("kind");
    json items = json::array();
    for (const auto& o : dir->orgs()) {
      if (kind && o.kind != *kind) continue;
      items.push_back({{"code", o.code}, {"name", o.name}, {"kind", o.kind}, {"region", o.region}});
    }
    return JsonResponse(200, Dump(json{{"items", items}, {"next_cursor", nullptr}}));
  });

  router.Add("GET", "/api/v1/regions/{code}", [&deps](Request& req, const Call&) -> Result<Response> {
    if (auto st = CheckQuery(req, {}); !st) return st.error();

    const auto dir = deps.directory().Get();
    const auto* r = dir->FindRegion(req.params["code"]);
    if (!r) return NotFound("no region " + req.params["code"]);
    json j = RegionRef(*r);
    j["parent"] = r->parent.empty() ? json(nullptr) : json(r->parent);
    json ancestors = json::array();
    for (const auto* a : dir->Lineage(r->code))
      if (a != r) ancestors.push_back(RegionRef(*a));
    j["ancestors"] = ancestors;
    json children = json::array();
    for (const auto* c : dir->Children(r->code)) children.push_back(RegionRef(*c));
    j["children"] = children;
    j["geometry"] = r->geometry.empty() ? json(nullptr) : json::parse(r->geometry);
    return JsonResponse(200, Dump(j));
  });

  router.Add(
      "POST", "/api/v1/regions/import",
      [&deps](Request& req, const Call& call) -> Result<Response> {
        // The index is rebuilt and swapped in; lookups meanwhile use the previous one.
        TRY_ASSIGN(imported, deps.reference.ImportRegionsGeoJson(req.body, call.actor()));
        deps.auth.Audit(call.actor(), "regions_imported", std::to_string(imported) + " regions", "", req.remote);
        const auto dir = deps.directory().Get();
        return JsonResponse(
            200, Dump(json{{"imported", imported}, {"regions", dir->region_count()}, {"grids", dir->grid_count()}}));
      },
      Access::kAdmin);

  // The way back when an import left the reference data inconsistent (or was simply wrong).
  router.Add(
      "POST", "/api/v1/regions/import/undo",
      [&deps](Request& req, const Call& call) -> Result<Response> {
        TRY_ASSIGN(undone, deps.reference.UndoLastImport());
        deps.auth.Audit(call.actor(), "regions_import_undone", "import " + std::to_string(undone.id),
                        std::to_string(undone.rows) + " regions, imported " + undone.at + " by " + undone.actor,
                        req.remote);
        const std::string fault = deps.reference.Fault();
        return JsonResponse(
            200, Dump(json{{"undone",
                            {{"id", undone.id}, {"at", undone.at}, {"actor", undone.actor}, {"regions", undone.rows}}},
                           {"consistent", fault.empty()},
                           {"fault", fault.empty() ? json(nullptr) : json(fault)}}));
      },
      Access::kAdmin);

  router.Add("GET", "/api/v1/locate", [&deps](Request& req, const Call&) -> Result<Response> {
    if (auto st = CheckQuery(req, {"lat", "lon", "crs"}); !st) return st.error();

    TRY_ASSIGN(lat, ParseCoordinate(req, "lat", 90));
    TRY_ASSIGN(lon, ParseCoordinate(req, "lon", 180));
    geo::Crs crs = geo::Crs::kWgs84;
    if (const auto* v = req.Query("crs"); v && !v->empty()) {
      auto parsed = geo::ParseCrs(*v);
      if (!parsed) return Invalid("crs", "crs must be wgs84, gcj02 or bd09");
      crs = *parsed;
    }
    const geo::LonLat wgs = geo::ToWgs84({lon, lat}, crs);
    const auto dir = deps.directory().Get();
    const auto* grid = dir->LocateGrid(wgs);
    if (!grid) return NotFound("no grid covers this point");
    json ancestors = json::array();
    for (const auto* a : dir->Lineage(grid->code))
      if (a != grid) ancestors.push_back(RegionRef(*a));
    return JsonResponse(200, Dump(json{{"grid", RegionRef(*grid)},
                                       {"ancestors", ancestors},
                                       {"wgs84", {{"lat", wgs.lat}, {"lon", wgs.lon}}}}));
  });

  // Routing rules: the centre's configuration, live at once and audited.
  auto rule_json = [&deps](const dispatch::RoutingRule& r) {
    const auto dir = deps.directory().Get();
    const auto* org = dir->FindOrg(r.org);
    const auto* cat = r.category.empty() ? nullptr : dir->FindCategory(r.category);
    const auto* region = r.region.empty() ? nullptr : dir->FindRegion(r.region);
    return json{{"id", r.id},
                {"category", r.category.empty() ? json(nullptr) : json(r.category)},
                {"category_name", cat ? json(cat->name_zh) : json(nullptr)},
                {"region", r.region.empty() ? json(nullptr) : json(r.region)},
                {"region_name", region ? json(region->name) : json(nullptr)},
                {"org", r.org},
                {"org_name", org ? json(org->name) : json(nullptr)},
                {"created_by", r.created_by},
                {"created_at", FormatTime(r.created_at)}};
  };
  auto may_route = [&deps](const Call& call, const std::string& region) -> Status {
    const auto dir = deps.directory().Get();
    if (!region.empty() && !dir->FindRegion(region)) return Invalid("region", "unknown region '" + region + "'");
    if (access::IsAdmin(*call.subject)) return OkStatus();
    const std::string path = region.empty() ? "" : dir->PathOf(region);
    for (const auto& g : call.subject->grants)
      if (g.role == access::Role::kDispatcher && (g.scope == "*" || (!path.empty() && path.starts_with(g.path))))
        return OkStatus();
    return Forbidden(region.empty() ? "only an admin or a dispatcher for every county sets rules for anywhere"
                                    : "routing rules are set by the centre (dispatcher) over its own counties");
  };
  router.Add(
      "GET", "/api/v1/routing-rules",
      [&deps, rule_json](Request& req, const Call&) -> Result<Response> {
        if (auto st = CheckQuery(req, {}); !st) return st.error();
        json items = json::array();
        for (const auto& r : deps.routing.table().Get()->rules()) items.push_back(rule_json(r));
        return JsonResponse(200, Dump(json{{"items", std::move(items)}, {"next_cursor", nullptr}}));
      },
      Access::kStaff);
  router.Add(
      "POST", "/api/v1/routing-rules",
      [&deps, rule_json, may_route](Request& req, const Call& call) -> Result<Response> {
        TRY_ASSIGN(body, ParseObject(req.body));
        dispatch::RoutingRule rule;
        for (auto [key, out] :
             {std::pair{"category", &rule.category}, std::pair{"region", &rule.region}, std::pair{"org", &rule.org}}) {
          TRY_ASSIGN(v, GetString(body, key, "", std::string(key) == "org"));
          *out = v.value_or("");
        }
        if (auto st = may_route(call, rule.region); !st) return st.error();
        rule.created_by = call.actor();
        TRY_ASSIGN(added, deps.routing.Add(rule, req.remote));
        Response r = JsonResponse(201, Dump(rule_json(added)));
        r.headers.emplace_back("Location", "/api/v1/routing-rules/" + std::to_string(added.id));
        return r;
      },
      Access::kStaff);
  router.Add(
      "DELETE", "/api/v1/routing-rules/{id}",
      [&deps, may_route](Request& req, const Call& call) -> Result<Response> {
        std::int64_t id = 0;
        const auto& text = req.params["id"];
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
        if (ec != std::errc() || p != text.data() + text.size())
          return NotFound("routing rule '" + text + "' does not exist");
        const auto table = deps.routing.table().Get();
        const dispatch::RoutingRule* found = nullptr;
        for (const auto& r : table->rules())
          if (r.id == id) found = &r;
        if (!found) return NotFound("routing rule " + text + " does not exist");
        if (auto st = may_route(call, found->region); !st) return st.error();
        if (auto st = deps.routing.Delete(id, call.actor(), req.remote); !st) return st.error();
        Response r;
        r.status = 204;
        return r;
      },
      Access::kStaff);
}

}  // namespace civicgrid::http
