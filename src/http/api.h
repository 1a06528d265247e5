// The /api/v1 surface: routes, the one authentication check every /api route passes, and the one place
// errors become RFC 9457 problem documents. Handlers live one file per resource (api_*.cc).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "auth/auth.h"
#include "cases/case_service.h"
#include "http/message.h"
#include "http/server.h"
#include "regions/directory.h"
#include "store/store.h"

namespace civicgrid::http {

struct ApiDeps {
  store::Store& store;
  cases::CaseService& cases;
  auth::AuthService& auth;
  regions::DirectoryHolder& directory;
  std::function<Status()> reload_directory;  // rebuild the in-memory directory from the store
  const Clock& clock;
};

// What a handler gets besides the request: who is calling (null on public routes).
struct Call {
  const auth::Principal* principal = nullptr;
  const std::string& actor() const;
};

using RouteHandler = std::function<Response(Request&, const Call&)>;

class Router {
 public:
  void Add(std::string method, std::string pattern, RouteHandler handler, bool is_public = false);
  struct Match {
    const RouteHandler* handler = nullptr;
    bool is_public = false;
    bool path_known = false;  // some route has this path (405 rather than 404)
  };
  Match Find(Request& request) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{name}" captures
    RouteHandler handler;
    bool is_public;
  };
  std::vector<Route> routes_;
};

Response ProblemResponse(const Error& error);
Response JsonResponse(int status, std::string body);

void AddCaseRoutes(Router& router, ApiDeps& deps);
void AddReferenceRoutes(Router& router, ApiDeps& deps);

Handler MakeApi(ApiDeps deps);

}  // namespace civicgrid::http
