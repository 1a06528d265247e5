#include "cli/wiring.h"

#include "http/api.h"

namespace civicgrid::app {

Result<http::Handler> ServeApi(App& app, const ApiRates& rates) {
  // The command centre first: routing, duplicates and deadlines must be live before the first request.
  if (auto st = app.StartCommandCentre(); !st) return st.error();
  http::ApiDeps deps{app.store(),
                     app.cases(),
                     app.auth(),
                     app.directory(),
                     [&app] { return app.ReloadDirectory(); },
                     [&app](const std::string& text) { return ImportRegionsGeoJson(app, text); },
                     app.clock(),
                     rates.login_per_address,
                     rates.intake_per_caller};
  deps.open_cases = &app.open_cases();
  deps.vault = &app.vault();
  deps.routing = &app.routing();
  deps.cockpit = &app.cockpit();
  deps.add_routing_rule = [&app](dispatch::RoutingRule rule, const std::string& remote) {
    return AddRoutingRule(app, std::move(rule), remote);
  };
  deps.delete_routing_rule = [&app](std::int64_t id, const std::string& actor, const std::string& remote) {
    return DeleteRoutingRule(app, id, actor, remote);
  };
  return http::MakeApi(std::move(deps));
}

}  // namespace civicgrid::app
