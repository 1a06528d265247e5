#include "cli/wiring.h"

#include "http/api.h"

namespace civicgrid::app {

Result<http::Handler> ServeApi(App& app, const ApiRates& rates, http::BodyGate* body_gate) {
  // The command centre first: routing, duplicates and deadlines must be live before the first request.
  if (auto st = app.StartCommandCentre(); !st) return st.error();
  http::ApiDeps deps{app.store(),
                     app.cases(),
                     app.auth(),
                     app.reference(),
                     app.routing(),
                     app.clock(),
                     rates.login_per_address,
                     rates.intake_per_caller};
  deps.open_cases = &app.open_cases();
  deps.vault = &app.vault();
  deps.cockpit = &app.cockpit();
  if (body_gate) *body_gate = http::MakeBodyGate(deps);
  return http::MakeApi(deps);
}

}  // namespace civicgrid::app
