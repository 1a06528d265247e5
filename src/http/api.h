// The /api/v1 surface: routes and the one authentication check every /api route passes. Handlers live one
// file per module (api/<module>.cc) and return Result; errors become problem documents in http/problem.cc.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/access/auth.h"
#include "domain/access/policy.h"
#include "domain/cases/case_access.h"
#include "domain/cases/case_service.h"
#include "domain/cases/nearby.h"
#include "domain/dispatch/routing_service.h"
#include "http/message.h"
#include "http/problem.h"
#include "http/server.h"
#include "reference/directory.h"
#include "reference/reference_service.h"
#include "store/store.h"

namespace civicgrid::cockpit {
class Aggregates;
struct Summary;
}  // namespace civicgrid::cockpit

namespace civicgrid::http {

// The services the handlers call, set up by the composition root (src/cli/wiring.cc).
struct ApiDeps {
  store::Store& store;
  cases::CaseService& cases;
  access::AuthService& auth;
  reference::ReferenceService& reference;
  dispatch::RoutingService& routing;
  const Clock& clock;
  // Abuse limits (per second; intake bursts 4 s worth, login 10 attempts); 0 disables. Over: 429 + Retry-After.
  double login_rate_per_address = 0.5;  // 30 login attempts a minute from one address, bursts of 10
  double intake_rate_per_caller = 50;   // per token and per address
  // The command centre (set by serve; routes that need one answer 503 without it).
  cases::OpenCaseIndex* open_cases = nullptr;
  const privacy::Vault* vault = nullptr;
  const cockpit::Aggregates* cockpit = nullptr;
  reference::DirectoryHolder& directory() const { return reference.directory(); }
};

// What a handler gets besides the request: who is calling (null on public routes), as policy sees them.
struct Call {
  const access::Principal* principal = nullptr;
  const access::Subject* subject = nullptr;
  std::string remote;  // the client's address (after trusted proxies), for the audit trail
  const std::string& actor() const;
  // Who is acting, through which door: recorded on every event the call writes.
  ledger::Origin origin() const { return ledger::Origin(actor(), "api", remote); }
  // The guard the case service applies to each case it loads: 404 when the caller may not see the case,
  // 403 when they may see it but not do `action` to it ("read", "reveal" or an action of the table).
  cases::Guard CaseGuard(std::string_view action, const reference::Directory& directory) const;
};

// A handler answers its response, or an error that http/problem.cc turns into a problem document.
using RouteHandler = std::function<Result<Response>(Request&, const Call&)>;

// Who may call a route at all. Finer checks on cases go through Call::CaseGuard.
enum class Access {
  kPublic,         // no token (health, metrics, login)
  kAuthenticated,  // any valid token
  kStaff,          // any role but resident and channel key
  kAdmin,
};

class Router {
 public:
  void Add(std::string method, const std::string& pattern, RouteHandler handler,
           Access access = Access::kAuthenticated);
  struct Match {
    const RouteHandler* handler = nullptr;
    Access access = Access::kAuthenticated;
    bool path_known = false;  // some route has this path (405 rather than 404)
  };
  Match Find(Request& request) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{name}" captures
    RouteHandler handler;
    Access access;
  };
  std::vector<Route> routes_;
};

Error Forbidden(std::string message);
Response JsonResponse(int status, std::string body);

void AddCaseRoutes(Router& router, ApiDeps& deps);
void AddReferenceRoutes(Router& router, ApiDeps& deps);
void AddCockpitRoutes(Router& router, ApiDeps& deps);
void AddCalendarRoutes(Router& router, ApiDeps& deps);
// From 1 October (by deps.clock, Asia/Shanghai), a warning while next year's holiday adjustments are not imported.
std::optional<std::string> CalendarWarning(const ApiDeps& deps);
// The calendar's /metrics gauges: civicgrid_calendar_next_year_published and civicgrid_calendar_warning.
std::string CalendarMetricsText(const ApiDeps& deps);
// The live stream's {"type":"aggregates"} members for one subscriber: today's open/overdue/yellow/intake and
// the last 30 days' rates of the region it asked for (default: its own cockpit region); "" for callers
// without a cockpit. `cache` holds the answers of one tick by region.
std::string CockpitLiveJson(const cockpit::Aggregates& aggregates, const access::Subject& who,
                            const std::string& region, const reference::Directory& dir, TimePoint now,
                            std::map<std::string, std::string>& cache);

Handler MakeApi(ApiDeps deps);
// The server's body gate (http::BodyGate): a region import by an admin may be large; nothing else may.
BodyGate MakeBodyGate(ApiDeps deps);

}  // namespace civicgrid::http
