#include "http/api.h"

#include <atomic>
#include <memory>

#include <nlohmann/json.hpp>

#include "common/histogram.h"
#include "common/log.h"
#include "http/rate_limit.h"

namespace civicgrid::http {

using nlohmann::json;

const std::string& Call::actor() const {
  static const std::string kAnonymous = "anonymous";
  return principal ? principal->login : kAnonymous;
}

Error Forbidden(std::string message) { return Error{ErrorCode::kForbidden, std::move(message), {}, {}}; }

cases::Guard Call::CaseGuard(std::string_view action, const reference::Directory& directory) const {
  const access::Subject* who = subject;
  return [who, action, &directory](const cases::Case& c) -> Status {
    // Joining needs only what the nearby map shows (an open case's id), not sight of the whole case.
    const bool visible = who && (cases::CanSee(*who, c) || (action == "join" && cases::IsOpen(c)));
    if (!visible) return NotFound("case " + to_string(c.id) + " does not exist");
    if (!cases::CanDo(*who, action, c, directory)) return Forbidden("your roles do not allow this on this case");
    return OkStatus();
  };
}

namespace {

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 1;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

// A handler's result as the client sees it: errors through the one mapping.
Response Answer(Result<Response> result) {
  if (!result.ok()) return ProblemResponse(result.error());
  return std::move(result.value());
}

struct Metrics {
  std::atomic<std::uint64_t> by_class[6] = {};
  Histogram intake_seconds, other_seconds;  // handler time, from routing to the response built
};

}  // namespace

void Router::Add(std::string method, const std::string& pattern, RouteHandler handler, Access access) {
  routes_.push_back({std::move(method), Split(pattern), std::move(handler), access});
}

Router::Match Router::Find(Request& req) const {
  // Among routes that match, literal segments beat captures ("/cases/nearby" before "/cases/{id}").
  const auto segs = Split(req.path);
  Match m;
  int best_captures = 1 << 20;
  std::map<std::string, std::string> best_params;
  for (const auto& r : routes_) {
    if (r.segments.size() != segs.size()) continue;
    std::map<std::string, std::string> params;
    bool ok = true;
    int captures = 0;
    for (size_t i = 0; i < segs.size() && ok; ++i) {
      const auto& p = r.segments[i];
      if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
        if (segs[i].empty()) ok = false;
        else params[p.substr(1, p.size() - 2)] = segs[i];
        ++captures;
      } else {
        ok = p == segs[i];
      }
    }
    if (!ok) continue;
    m.path_known = true;
    if (r.method != req.method || captures >= best_captures) continue;
    best_captures = captures;
    best_params = std::move(params);
    m.handler = &r.handler;
    m.access = r.access;
  }
  if (m.handler) req.params = std::move(best_params);
  return m;
}

Response JsonResponse(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

namespace {

// The bearer token of a request, "" when there is none.
std::string BearerToken(const Request& req) {
  if (const auto* h = req.Header("authorization");
      h && h->size() > 7 && (h->compare(0, 7, "Bearer ") == 0 || h->compare(0, 7, "bearer ") == 0))
    return h->substr(7);
  return "";
}

}  // namespace

BodyGate MakeBodyGate(ApiDeps deps_in) {
  auto deps = std::make_shared<ApiDeps>(deps_in);
  return [deps](const Request& req) -> Result<bool> {
    // Only a region import may be large, and only an admin's: the same checks as the route's own, made
    // before the body is read, so that no one else can make the server hold a large body.
    if (req.method != "POST" || req.path != "/api/v1/regions/import") return false;
    auto principal = deps->auth.Authenticate(BearerToken(req));
    if (!principal.ok()) return principal.error();
    const auto dir = deps->directory().Get();
    if (!access::IsAdmin(access::MakeSubject(principal->login, principal->roles, *dir)))
      return Forbidden("this needs the admin role");
    return true;
  };
}

Handler MakeApi(ApiDeps deps_in) {
  auto deps = std::make_shared<ApiDeps>(deps_in);
  auto router = std::make_shared<Router>();
  auto metrics = std::make_shared<Metrics>();
  auto login_limit = std::make_shared<RateLimiter>(deps->login_rate_per_address, 10);
  auto intake_limit = std::make_shared<RateLimiter>(deps->intake_rate_per_caller, 4 * deps->intake_rate_per_caller);
  auto too_many = [](int retry_after) {
    return ProblemResponse(Error{ErrorCode::kTooManyRequests,
                                 "too many requests: retry after " + std::to_string(retry_after) + " s",
                                 {},
                                 {},
                                 retry_after});
  };

  router->Add(
      "GET", "/healthz",
      [](Request&, const Call&) -> Result<Response> { return JsonResponse(200, R"({"status":"ok"})"); },
      Access::kPublic);
  router->Add(
      "GET", "/readyz",
      [deps](Request&, const Call&) -> Result<Response> {
        auto n = deps->store.reference().ReferenceVersion();  // one indexed row: the store answers reads
        if (!n.ok()) return n.error();
        // Inconsistent reference data: cases are still served (ready), reference changes are refused.
        if (auto fault = deps->reference.Fault(); !fault.empty())
          return JsonResponse(200, json{{"status", "ready"}, {"reference", "read-only"}, {"fault", fault}}.dump());
        return JsonResponse(200, R"({"status":"ready"})");
      },
      Access::kPublic);
  router->Add(
      "GET", "/metrics",
      [deps, metrics](Request&, const Call&) -> Result<Response> {
        const auto dir = deps->directory().Get();
        std::string out =
            "# HELP civicgrid_http_responses_total HTTP responses by status class.\n"
            "# TYPE civicgrid_http_responses_total counter\n";
        for (int c = 1; c <= 5; ++c)
          out += "civicgrid_http_responses_total{class=\"" + std::to_string(c) + "xx\"} " +
                 std::to_string(metrics->by_class[c].load()) + "\n";
        out +=
            "# HELP civicgrid_http_request_seconds Time to answer a request, from routing to the response built "
            "(intake: POST of a case or a join).\n# TYPE civicgrid_http_request_seconds histogram\n";
        out += metrics->intake_seconds.Render("civicgrid_http_request_seconds", "kind=\"intake\"");
        out += metrics->other_seconds.Render("civicgrid_http_request_seconds", "kind=\"other\"");
        out += deps->store.MetricsText();
        out += "# HELP civicgrid_grids Grids in the point-to-grid index.\n# TYPE civicgrid_grids gauge\n";
        out += "civicgrid_grids " + std::to_string(dir->grid_count()) + "\n";
        out += CalendarMetricsText(*deps);
        out +=
            "# HELP civicgrid_reference_consistent 1 when the stored reference data is consistent; 0 when it is "
            "not (see /readyz and the log) and reference changes are refused.\n"
            "# TYPE civicgrid_reference_consistent gauge\n";
        out += std::string("civicgrid_reference_consistent ") + (deps->reference.Fault().empty() ? "1" : "0") + "\n";
        Response r = JsonResponse(200, std::move(out));
        r.content_type = "text/plain; version=0.0.4";
        return r;
      },
      Access::kPublic);
  AddReferenceRoutes(*router, *deps);
  AddCockpitRoutes(*router, *deps);
  AddCaseRoutes(*router, *deps);
  AddCalendarRoutes(*router, *deps);

  return [deps, router, metrics, login_limit, intake_limit, too_many](Request& req) -> Response {
    Response res;
    auto match = router->Find(req);
    const auto now = std::chrono::steady_clock::now();
    const bool is_login = req.method == "POST" && (req.path == "/api/v1/login" || req.path == "/api/v1/password");
    // Joining a case counts as an intake: both add a reporter's voice, both are what a flood would abuse.
    const bool is_intake =
        req.method == "POST" &&
        (req.path == "/api/v1/cases" || (req.path.starts_with("/api/v1/cases/") && req.path.ends_with("/join")));
    if (is_login)
      if (int wait = login_limit->Take("addr " + req.remote, now)) return too_many(wait);
    if (is_intake) {
      if (int wait = intake_limit->Take("addr " + req.remote, now)) return too_many(wait);
      if (const auto* h = req.Header("authorization"))
        if (int wait = intake_limit->Take("token " + *h, now)) return too_many(wait);
    }
    if (!match.handler) {
      res = ProblemResponse(match.path_known
                                ? Error{ErrorCode::kMethodNotAllowed, "method not allowed on " + req.path, {}, {}}
                                : NotFound("no resource at " + req.path));
    } else if (match.access == Access::kPublic) {
      res = Answer((*match.handler)(req, Call{nullptr, nullptr, req.remote}));
    } else {
      // The one authentication check: every non-public route passes here.
      auto principal = deps->auth.Authenticate(BearerToken(req));
      if (!principal.ok()) {
        res = ProblemResponse(principal.error());
      } else {
        const auto dir = deps->directory().Get();
        const access::Subject subject = access::MakeSubject(principal->login, principal->roles, *dir);
        const bool staff = access::IsStaff(principal->roles);
        if (match.access == Access::kAdmin && !access::IsAdmin(subject)) {
          res = ProblemResponse(Forbidden("this needs the admin role"));
        } else if (match.access == Access::kStaff && !staff) {
          res = ProblemResponse(Forbidden("this needs a staff role"));
        } else {
          Call call{&principal.value(), &subject, req.remote};
          res = Answer((*match.handler)(req, call));
        }
      }
    }
    const int cls = res.status / 100;
    if (cls >= 1 && cls <= 5) ++metrics->by_class[cls];
    (is_intake ? metrics->intake_seconds : metrics->other_seconds)
        .Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - now).count());
    return res;
  };
}

}  // namespace civicgrid::http
