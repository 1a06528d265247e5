// The composition root: opens the store, builds the in-memory directory, and wires the services. main.cc
// and the tests use it; nothing below src/cli knows it exists.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "auth/auth.h"
#include "cases/case_service.h"
#include "common/result.h"
#include "common/time.h"
#include "regions/directory.h"
#include "store/store.h"

namespace civicgrid::app {

struct AppOptions {
  std::string data_dir;          // holds civicgrid.db
  bool durable = true;           // fsync every commit; off only for bulk loads that are redone on failure
  const Clock* clock = nullptr;  // defaults to the system clock
};

class App {
 public:
  static Result<std::unique_ptr<App>> Open(const AppOptions& options);

  store::Store& store() { return *store_; }
  regions::DirectoryHolder& directory() { return directory_; }
  cases::CaseService& cases() { return *cases_; }
  auth::AuthService& auth() { return *auth_; }
  const Clock& clock() const { return *clock_; }
  // Rebuilds the directory (regions, grid index, orgs, categories, calendar) from the store and swaps it in.
  Status ReloadDirectory();
  // Reloads when another process (a CLI import) changed reference data since the last load.
  Status ReloadIfChanged();

 private:
  App() = default;
  SystemClock system_clock_;
  const Clock* clock_ = nullptr;
  std::unique_ptr<store::Store> store_;
  regions::DirectoryHolder directory_;
  std::mutex reload_mu_;
  std::int64_t loaded_version_ = -1;  // GUARDED_BY(reload_mu_)
  std::unique_ptr<cases::CaseService> cases_;
  std::unique_ptr<auth::AuthService> auth_;
};

// `init`: the shipped taxonomy and calendar, and the admin user (its password is returned when created now).
struct InitResult {
  std::string admin_password;  // empty when admin already existed
};
Result<InitResult> Init(App& app, const std::string& admin_password);

Result<size_t> ImportRegionsGeoJson(App& app, const std::string& text);
// CSV with header code,name,kind,region.
Result<size_t> ImportOrgsCsv(App& app, const std::string& text);

// The demo counties and a year of history (demo/demo.h). Returns the number of cases.
Result<int> LoadDemo(App& app, std::uint64_t seed, int cases);

// Folds every case's events and compares the result with its stored row; the first mismatch is an error.
Result<std::int64_t> CheckProjection(App& app);

Result<std::int64_t> AddUser(App& app, const std::string& login, const std::string& password,
                             const std::vector<std::pair<std::string, std::string>>& roles);

}  // namespace civicgrid::app
