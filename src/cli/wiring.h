// The API as `serve` serves it: one App's services and command centre behind the /api handler. main.cc's
// serve and the scenario runner (src/testing) both take their handler from here, so scenarios exercise
// exactly what is served. Call once, from the thread that owns the App, before serving.
#pragma once

#include "cli/app.h"
#include "common/result.h"
#include "http/server.h"

namespace civicgrid::app {

// Abuse limits per second (http::ApiDeps explains them); 0 disables a limit.
struct ApiRates {
  double login_per_address = 0.5;
  double intake_per_caller = 50;
};

// Starts the command centre if it is not running yet (listeners such as the stream subscribe before: see
// App::StartCommandCentre) and returns the request handler. The App must outlive the handler.
// With `body_gate`, also the server's body gate (http::MakeBodyGate) over the same services.
Result<http::Handler> ServeApi(App& app, const ApiRates& rates, http::BodyGate* body_gate = nullptr);

}  // namespace civicgrid::app
