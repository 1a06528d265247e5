// The SQLite store: one Database (database.h: the file, its migrations, the writer, the read pool) and one
// store per module over it, composed into the store::Store the rest of the server sees. A PostgreSQL store
// is the same set of small classes over its own connection pool.
#include <memory>

#include "store/sqlite/access_store.h"
#include "store/sqlite/case_store.h"
#include "store/sqlite/database.h"
#include "store/sqlite/reference_store.h"
#include "store/sqlite/routing_store.h"
#include "store/store.h"

namespace civicgrid::store {

namespace {

using sqlite::Connection;
using sqlite::Database;

class SqliteStore final : public Store {
 public:
  static Result<std::unique_ptr<Store>> Open(const SqliteOptions& options, int migrate_to) {
    auto db = Database::Open(options, migrate_to);
    if (!db.ok()) return db.error();
    auto store = std::unique_ptr<SqliteStore>(new SqliteStore(std::move(db.value())));
    auto cases = sqlite::CaseStore::Open(*store->db_);
    if (!cases.ok()) return cases.error();
    store->cases_ = std::move(cases.value());
    store->db_->Start();  // after the case store gave it its idle step
    return std::unique_ptr<Store>(std::move(store));
  }

  // The writer stops (finishing what is queued) before the module stores go: no job outlives them.
  ~SqliteStore() override { db_->Stop(); }

  // ---- the store's own ----
  Result<std::string> GetSetting(const std::string& key) override {
    return db_->Read<std::string>([&](Connection& c) -> Result<std::string> {
      auto s = c.Prepare("SELECT value FROM settings WHERE key=?");
      s.Bind(1, key);
      if (s.Step() == SQLITE_ROW) return s.Text(0);
      return std::string();
    });
  }
  Status PutSetting(const std::string& key, const std::string& value) override {
    return db_->Write([&](Connection& c) -> Status {
      auto s =
          c.Prepare("INSERT INTO settings(key,value) VALUES(?,?) ON CONFLICT(key) DO UPDATE SET value=excluded.value");
      s.Bind(1, key).Bind(2, value);
      if (int rc = s.Step(); rc != SQLITE_DONE) return sqlite::DbError(c.db(), rc, "setting " + key);
      return OkStatus();
    });
  }
  std::string MetricsText() const override { return db_->MetricsText(); }

  reference::ReferenceStore& reference() override { return reference_; }
  cases::CaseStore& cases() override { return *cases_; }
  dispatch::RoutingStore& routing() override { return routing_; }
  access::AccessStore& access() override { return access_; }

 private:
  explicit SqliteStore(std::unique_ptr<Database> db)
      : db_(std::move(db)), reference_(*db_), routing_(*db_), access_(*db_) {}

  std::unique_ptr<Database> db_;  // declared first: destroyed last
  sqlite::ReferenceStore reference_;
  sqlite::RoutingStore routing_;
  sqlite::AccessStore access_;
  std::unique_ptr<sqlite::CaseStore> cases_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteAt(const SqliteOptions& options, int migrate_to) {
  return SqliteStore::Open(options, migrate_to);
}

Result<std::unique_ptr<Store>> OpenSqlite(const SqliteOptions& options) { return OpenSqliteAt(options, -1); }

}  // namespace civicgrid::store
