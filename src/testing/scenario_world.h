// The real product in-process, for scenarios. The fixture store (tests/scenarios/fixtures: regions, orgs,
// users with their tokens) is built once by FixtureTemplate; each scenario's ScenarioWorld copies it to its
// own directory and opens it as an app::App on a ManualClock, with the command centre running and the very
// request handler `serve` uses (app::ServeApi). Used from one thread; the scheduler's threads are inside.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "common/result.h"
#include "common/time.h"
#include "http/server.h"
#include "testing/scenario.h"

namespace civicgrid::app {
class App;
}

namespace civicgrid::testing {

// Every scenario starts at this moment: a Tuesday, 09:00 in Asia/Shanghai.
inline constexpr const char* kScenarioStart = "2026-11-24T09:00:00+08:00";
// The password of every fixture user (admin included), for scenarios that log in.
inline constexpr const char* kFixturePassword = "Scenario-Password-1";

class FixtureTemplate {
 public:
  // Reads regions.geojson, orgs.csv and users.csv (login,role,scope; role `channel` makes an API key whose
  // scope is its channel) from `fixtures_dir` and builds the store in `dir`. Slow (a password hash per user):
  // once per run.
  static Result<std::unique_ptr<FixtureTemplate>> Build(const std::string& fixtures_dir, const std::string& dir);

  const std::string& dir() const { return dir_; }
  // Login → bearer token, valid for ten years of the manual clock.
  const std::map<std::string, std::string>& tokens() const { return tokens_; }

 private:
  std::string dir_;
  std::map<std::string, std::string> tokens_;
};

class ScenarioWorld final : public Product {
 public:
  // Copies the template's store to `dir` (which must not exist) and opens it.
  static Result<std::unique_ptr<ScenarioWorld>> Open(const FixtureTemplate& fixture, const std::string& dir,
                                                     bool keep_dir = false);
  ~ScenarioWorld() override;

  http::Response Call(http::Request& request) override;
  const std::string* TokenOf(const std::string& login) const override;
  TimePoint Now() const override { return clock_.Now(); }
  Status SetClock(TimePoint to) override;
  Status Restart(milliseconds down) override;
  Status Settle() override;

  // After a scenario: the store and the in-memory command structures still agree. Every case row equals
  // the fold of its events (app::CheckProjection), and the live cockpit equals one recomputed from the rows.
  Status CheckConsistency();

 private:
  ScenarioWorld(std::string dir, std::map<std::string, std::string> tokens, bool keep_dir);
  Status Start();
  void Stop();

  std::string dir_;
  std::map<std::string, std::string> tokens_;
  bool keep_dir_;
  ManualClock clock_;
  std::unique_ptr<app::App> app_;
  http::Handler handler_;  // holds references into app_: reset before it
};

}  // namespace civicgrid::testing
