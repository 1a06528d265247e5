// The store: one backend (its file or connection pool and its writer) that hands out each module's small
// store (reference, cases, routing, access). Modules see only their own interface; a new module adds its
// interface and an accessor here, and each backend one small class. SQLite (sqlite/) is the default;
// PostgreSQL comes later as a second set of the same small classes. No SQL, no driver types above src/store.
// All methods are thread-safe and may block: call them from worker threads, never from I/O threads.
#pragma once

#include <memory>
#include <string>

#include "common/result.h"
#include "domain/access/access_store.h"
#include "domain/cases/case_store.h"
#include "domain/dispatch/routing_store.h"
#include "reference/reference_store.h"

namespace civicgrid::store {

class Store {
 public:
  virtual ~Store() = default;

  virtual reference::ReferenceStore& reference() = 0;
  virtual cases::CaseStore& cases() = 0;
  virtual dispatch::RoutingStore& routing() = 0;
  virtual access::AccessStore& access() = 0;

  // Small named values of the store itself (e.g. which projection format its rows are in).
  virtual Result<std::string> GetSetting(const std::string& key) = 0;  // "" when unset
  virtual Status PutSetting(const std::string& key, const std::string& value) = 0;

  // The store's own lines for /metrics (Prometheus text format), e.g. how long writes wait and commit.
  virtual std::string MetricsText() const { return ""; }
};

struct SqliteOptions {
  std::string path;              // the database file
  int readers = 4;               // read connections in the pool
  bool synchronous_full = true;  // fsync on every commit (durable acknowledgements)
};

// Opens (creating and migrating as needed) the SQLite store.
Result<std::unique_ptr<Store>> OpenSqlite(const SqliteOptions& options);
// For migration tests: stops at schema `migrate_to` (-1: latest).
Result<std::unique_ptr<Store>> OpenSqliteAt(const SqliteOptions& options, int migrate_to);

}  // namespace civicgrid::store
