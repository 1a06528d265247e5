// The composition root: opens the store, builds the in-memory directory, and wires the services. main.cc
// and the tests use it; nothing below src/cli knows it exists.
#pragma once

#include <memory>
#include <string>

#include "common/mutex.h"
#include "common/result.h"
#include "common/time.h"
#include "domain/access/auth.h"
#include "domain/cases/case_service.h"
#include "domain/cases/nearby.h"
#include "domain/cockpit/aggregates.h"
#include "domain/dispatch/routing_service.h"
#include "ledger/timers.h"
#include "privacy/personal_data.h"
#include "reference/directory.h"
#include "reference/reference_service.h"
#include "store/store.h"

namespace civicgrid::app {

struct AppOptions {
  // Holds civicgrid.db (reporters' names, password hashes): created 0700, its files kept 0600 (App::Open).
  std::string data_dir;
  // The personal-data key (SM4/SM3). Default: civicgrid.key beside the store, created 0600 on first use;
  // operators should keep it elsewhere (another disk, a mounted secret) so a copied store reveals nothing.
  std::string key_file;
  bool durable = true;             // fsync every commit; off only for bulk loads that are redone on failure
  const Clock* clock = nullptr;    // defaults to the system clock
  cases::Rules rules;              // county-wide rules: reminders, escalation triggers, duplicates
  access::HashLimits hash_limits;  // password hashes at once (serve --password-hashes)
};

class App {
 public:
  static Result<std::unique_ptr<App>> Open(const AppOptions& options);

  store::Store& store() { return *store_; }
  reference::ReferenceService& reference() { return *reference_; }
  reference::DirectoryHolder& directory() { return reference_->directory(); }
  cases::CaseService& cases() { return *cases_; }
  access::AuthService& auth() { return *auth_; }
  const Clock& clock() const { return *clock_; }
  const privacy::Vault& vault() const { return *vault_; }
  // Rebuilds the directory and the routing table from the store and swaps them in.
  Status ReloadDirectory() { return reference_->Reload(); }
  // Reloads when another process (a CLI import) changed reference data since the last load.
  Status ReloadIfChanged() { return reference_->ReloadIfChanged(); }
  dispatch::RoutingService& routing() { return *routing_; }
  cases::OpenCaseIndex& open_cases() { return open_cases_; }
  ledger::TimerQueue* scheduler() { return scheduler_.get(); }
  cockpit::Aggregates& cockpit() { return cockpit_; }
  // For `serve`: rebuilds the in-memory command structures from the store (every case: the cockpit; open
  // cases: the duplicate index and the deadline scheduler), keeps them current from every commit, and starts
  // the scheduler, which fires at once what fell due while no server ran. Other listeners (the stream)
  // subscribe before.
  Status StartCommandCentre();

 private:
  App() = default;
  SystemClock system_clock_;
  const Clock* clock_ = nullptr;
  std::unique_ptr<privacy::Vault> vault_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<reference::ReferenceService> reference_;
  std::unique_ptr<cases::CaseService> cases_;
  std::unique_ptr<access::AuthService> auth_;
  std::unique_ptr<dispatch::RoutingService> routing_;
  cases::OpenCaseIndex open_cases_;
  cockpit::Aggregates cockpit_;
  std::unique_ptr<ledger::TimerQueue> scheduler_;
};

// Calls fn for every case's digest, on this thread, while another thread reads them from the store in
// batches: the scan (SQLite) and the folding use both cores at start-up. In the store's order.
Status LoadDigests(cases::CaseStore& store, const std::function<void(const cases::CaseDigest&)>& fn,
                   size_t batch_size = 4096);

// `init`: the shipped taxonomy and calendar, and the admin user (its password is returned when created now).
struct InitResult {
  std::string admin_password;  // empty when admin already existed
  std::string admin_totp_secret;
};
Result<InitResult> Init(App& app, const std::string& admin_password);

// The demo counties and a year of history (demo/demo.h). Returns the number of cases.
Result<int> LoadDemo(App& app, std::uint64_t seed, int cases);

// Once per store: rewrites rows written in an older projection format from their events (App::Open calls it).
Status RefoldProjections(App& app);

// Folds every case's events and compares the result with its stored row; the first mismatch is an error.
Result<std::int64_t> CheckProjection(App& app);

// Adds a user after checking the password rules and each role's scope. Admins and dispatchers get a TOTP
// second factor: its secret is returned (empty for other roles).
struct NewUser {
  std::int64_t id = 0;
  std::string totp_secret;
};
Result<NewUser> AddUser(App& app, const std::string& login, const std::string& password,
                        const std::vector<std::pair<std::string, std::string>>& roles, const std::string& by);

// An API key for a channel system: a `channel` account limited to intake on that channel and its own cases.
// Returns the key (a bearer token valid for ten years).
Result<std::string> AddKey(App& app, const std::string& name, const std::string& channel);

// Demo accounts, one per role, with scopes in the demo counties: (login, role, scope, password).
struct DemoUser {
  std::string login, role, scope, password;
  std::string totp_secret;  // for the dispatcher
};
Result<std::vector<DemoUser>> AddDemoUsers(App& app);

}  // namespace civicgrid::app
