#include "testing/scenario_world.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "cli/app.h"
#include "cli/wiring.h"
#include "common/csv.h"
#include "domain/cockpit/aggregates.h"

namespace civicgrid::testing {
namespace {

namespace fs = std::filesystem;

// Long enough that no scenario outruns its tokens, however far it moves the clock.
constexpr std::chrono::hours kTokenLifetime{24 * 365 * 10};
// Deadlines due after a clock move fire within milliseconds; this only bounds a broken scheduler.
constexpr std::chrono::seconds kSettleTimeout{10};

TimePoint ScenarioStart() { return *ParseTime(kScenarioStart); }

Result<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Invalid("fixtures", "cannot read " + path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

app::AppOptions OptionsFor(const std::string& dir, const Clock& clock) {
  // No fsync: a scenario's store is thrown away, and `restart` closes the store cleanly.
  return app::AppOptions{.data_dir = dir, .durable = false, .clock = &clock};
}

Error At(const std::string& where, const Error& e) {
  Error out = e;
  out.message = where + ": " + (e.field.empty() ? "" : e.field + ": ") + e.message;
  return out;
}

}  // namespace

Result<std::unique_ptr<FixtureTemplate>> FixtureTemplate::Build(const std::string& fixtures_dir,
                                                                const std::string& dir) {
  auto regions = ReadFile(fs::path(fixtures_dir) / "regions.geojson");
  if (!regions.ok()) return regions.error();
  auto orgs = ReadFile(fs::path(fixtures_dir) / "orgs.csv");
  if (!orgs.ok()) return orgs.error();
  auto users_text = ReadFile(fs::path(fixtures_dir) / "users.csv");
  if (!users_text.ok()) return users_text.error();
  auto users = csv::Parse(*users_text, {"login", "role", "scope"});
  if (!users.ok()) return At("users.csv", users.error());

  auto fixture = std::make_unique<FixtureTemplate>();
  fixture->dir_ = dir;
  ManualClock clock(ScenarioStart());
  auto opened = app::App::Open(OptionsFor(dir, clock));
  if (!opened.ok()) return opened.error();
  app::App& app = **opened;
  if (auto st = app::Init(app, kFixturePassword); !st.ok()) return At("init", st.error());
  if (auto n = app.reference().ImportRegionsGeoJson(*regions); !n.ok()) return At("regions.geojson", n.error());
  if (auto n = app.reference().ImportOrgsCsv(*orgs); !n.ok()) return At("orgs.csv", n.error());
  std::vector<std::string> logins = {"admin"};
  for (auto& u : *users) {
    if (u["role"] == "channel") {
      auto key = app::AddKey(app, u["login"], u["scope"]);
      if (!key.ok()) return At("users.csv: " + u["login"], key.error());
      fixture->tokens_[u["login"]] = *key;
      continue;
    }
    auto added = app::AddUser(app, u["login"], kFixturePassword, {{u["role"], u["scope"]}}, "fixture");
    if (!added.ok()) return At("users.csv: " + u["login"], added.error());
    logins.push_back(u["login"]);
  }
  for (const auto& login : logins) {
    auto token = app.auth().IssueToken(login, kTokenLifetime);
    if (!token.ok()) return At("token for " + login, token.error());
    fixture->tokens_[login] = token->token;
  }
  return fixture;
}

ScenarioWorld::ScenarioWorld(std::string dir, std::map<std::string, std::string> tokens, bool keep_dir)
    : dir_(std::move(dir)), tokens_(std::move(tokens)), keep_dir_(keep_dir), clock_(ScenarioStart()) {}

Result<std::unique_ptr<ScenarioWorld>> ScenarioWorld::Open(const FixtureTemplate& fixture, const std::string& dir,
                                                           bool keep_dir) {
  std::error_code ec;
  fs::copy(fixture.dir(), dir, fs::copy_options::recursive, ec);
  if (ec) return Invalid("data", "cannot copy the fixture store to " + dir + ": " + ec.message());
  auto world = std::unique_ptr<ScenarioWorld>(new ScenarioWorld(dir, fixture.tokens(), keep_dir));
  if (auto st = world->Start(); !st) return st.error();
  return world;
}

ScenarioWorld::~ScenarioWorld() {
  Stop();
  if (!keep_dir_) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

Status ScenarioWorld::Start() {
  auto opened = app::App::Open(OptionsFor(dir_, clock_));
  if (!opened.ok()) return opened.error();
  app_ = std::move(opened.value());
  // Exactly what serve serves, with serve's default limits.
  auto handler = app::ServeApi(*app_, app::ApiRates{});
  if (!handler.ok()) return handler.error();
  handler_ = std::move(handler.value());
  return Settle();  // what fell due while "down" fires at start
}

void ScenarioWorld::Stop() {
  handler_ = nullptr;
  app_.reset();  // stops the scheduler before the services it calls go
}

http::Response ScenarioWorld::Call(http::Request& request) { return handler_(request); }

const std::string* ScenarioWorld::TokenOf(const std::string& login) const {
  auto it = tokens_.find(login);
  return it == tokens_.end() ? nullptr : &it->second;
}

Status ScenarioWorld::SetClock(TimePoint to) {
  clock_.Set(to);
  return Settle();
}

Status ScenarioWorld::Restart(milliseconds down) {
  if (auto st = Settle(); !st) return st;
  Stop();
  clock_.Advance(down);
  return Start();
}

Status ScenarioWorld::CheckConsistency() {
  if (auto st = Settle(); !st) return st;
  if (auto n = app::CheckProjection(*app_); !n.ok()) return n.error();
  cockpit::Aggregates fresh;
  auto st = app_->store().cases().ScanCases(false, [&](cases::Case&& c) { fresh.Apply(nullptr, c); });
  if (!st) return st;
  // Every day a scenario can reach, for the whole deployment and for every region of the fixture.
  const auto dir = app_->directory().Get();
  std::vector<std::string> regions = {""};
  for (size_t i = 0; i < regions.size(); ++i) {
    const auto children = regions[i].empty() ? dir->Roots() : dir->Children(regions[i]);
    for (const auto* r : children) regions.push_back(r->code);
  }
  for (const auto& region : regions) {
    const cockpit::Query q{region, *ParseTime("2000-01-01"), clock_.Now() + std::chrono::hours(24 * 30)};
    if (!(app_->cockpit().Summarize(q) == fresh.Summarize(q)))
      return Internal("the live cockpit of '" + region + "' differs from one recomputed from the store");
  }
  return OkStatus();
}

// Settled: no case has an alert due by now in the store (each due alert was fired and committed), and the
// scheduler holds for every case exactly the next alert the store has (the firing's own rescheduling is
// done). Both are read, not assumed, so the next step sees every alert the clock made due.

Status ScenarioWorld::Settle() {
  auto* scheduler = app_->scheduler();
  const auto give_up = std::chrono::steady_clock::now() + kSettleTimeout;
  for (;;) {
    scheduler->Poke();
    const TimePoint now = clock_.Now();
    std::string pending;
    auto st = app_->store().cases().ScanDigests([&](const cases::CaseDigest& d) {
      const auto held = scheduler->NextOf(d.id);
      if (d.next_alert && *d.next_alert <= now) {
        if (pending.empty())
          pending = "case " + std::to_string(d.id) + " has an alert due at " + FormatTime(*d.next_alert);
      } else if (held != d.next_alert && pending.empty()) {
        pending = "the scheduler has not caught up with case " + std::to_string(d.id);
      }
    });
    if (!st) return st;
    if (pending.empty()) return OkStatus();
    if (std::chrono::steady_clock::now() > give_up)
      return Internal("deadlines did not settle within " + std::to_string(kSettleTimeout.count()) + " s: " + pending);
    std::this_thread::sleep_for(milliseconds{1});
  }
}

}  // namespace civicgrid::testing
