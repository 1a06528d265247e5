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

  // ---- reference data ----
  Status UpsertRegions(const std::vector<reference::Region>& v) override { return reference_.UpsertRegions(v); }
  Result<std::vector<reference::Region>> LoadRegions() override { return reference_.LoadRegions(); }
  Result<reference::ImportBatch> ImportRegions(
      const std::vector<reference::Region>& v, const std::string& actor,
      const std::function<Status(const std::vector<reference::Region>&)>& check) override {
    return reference_.ImportRegions(v, actor, check);
  }
  Result<reference::ImportBatch> UndoLastImport() override { return reference_.UndoLastImport(); }
  Status UpsertOrgs(const std::vector<reference::Org>& v) override { return reference_.UpsertOrgs(v); }
  Result<std::vector<reference::Org>> LoadOrgs() override { return reference_.LoadOrgs(); }
  Status UpsertCategories(const std::vector<reference::Category>& v) override { return reference_.UpsertCategories(v); }
  Result<std::vector<reference::Category>> LoadCategories() override { return reference_.LoadCategories(); }
  Status SaveHolidays(const std::string& csv) override { return reference_.SaveHolidays(csv); }
  Result<std::string> LoadHolidays() override { return reference_.LoadHolidays(); }
  Result<std::int64_t> ReferenceVersion() override { return reference_.ReferenceVersion(); }

  // ---- cases ----
  cases::CaseId NextCaseId() override { return cases_->NextCaseId(); }
  Status CommitCase(const cases::CaseWrite& w) override { return cases_->CommitCase(w); }
  Status CommitCases(const std::vector<cases::CaseWrite>& w) override { return cases_->CommitCases(w); }
  Status ScanCases(bool open_only, const std::function<void(cases::Case&&)>& fn) override {
    return cases_->ScanCases(open_only, fn);
  }
  Status ScanDigests(const std::function<void(const cases::CaseDigest&)>& fn) override {
    return cases_->ScanDigests(fn);
  }
  Result<std::optional<cases::Case>> GetCase(cases::CaseId id) override { return cases_->GetCase(id); }
  Result<std::optional<cases::CaseId>> FindByExternalId(const std::string& channel,
                                                        const std::string& external_id) override {
    return cases_->FindByExternalId(channel, external_id);
  }
  Result<std::optional<cases::CaseId>> FindByIdempotencyKey(const std::string& key) override {
    return cases_->FindByIdempotencyKey(key);
  }
  Result<std::vector<cases::CaseEvent>> LoadEvents(cases::CaseId id) override { return cases_->LoadEvents(id); }
  Result<cases::CasePage> ListCases(const cases::CaseQuery& q) override { return cases_->ListCases(q); }
  Result<std::int64_t> CountCases() override { return cases_->CountCases(); }
  Result<std::map<std::string, std::int64_t>> MissedCheckIns() override { return cases_->MissedCheckIns(); }

  // ---- routing rules ----
  Result<std::vector<dispatch::RoutingRule>> ListRoutingRules() override { return routing_.ListRoutingRules(); }
  Result<std::int64_t> AddRoutingRule(const dispatch::RoutingRule& r) override { return routing_.AddRoutingRule(r); }
  Status DeleteRoutingRule(std::int64_t id) override { return routing_.DeleteRoutingRule(id); }

  // ---- accounts ----
  Result<std::int64_t> AddUser(const access::User& u) override { return access_.AddUser(u); }
  Result<std::optional<access::User>> FindUser(const std::string& login) override { return access_.FindUser(login); }
  Result<std::optional<access::User>> FindUserById(std::int64_t id) override { return access_.FindUserById(id); }
  Result<std::vector<access::User>> ListUsers() override { return access_.ListUsers(); }
  Status SetUserDisabled(const std::string& login, bool disabled) override {
    return access_.SetUserDisabled(login, disabled);
  }
  Status SetPassword(std::int64_t user_id, const std::string& hash, TimePoint at) override {
    return access_.SetPassword(user_id, hash, at);
  }
  Status RecordLoginFailure(std::int64_t user_id, int failed, TimePoint locked_until) override {
    return access_.RecordLoginFailure(user_id, failed, locked_until);
  }
  Status RecordLoginSuccess(std::int64_t user_id) override { return access_.RecordLoginSuccess(user_id); }
  Result<bool> ClaimTotpStep(std::int64_t user_id, std::int64_t step) override {
    return access_.ClaimTotpStep(user_id, step);
  }
  Status AddToken(const access::Token& t) override { return access_.AddToken(t); }
  Result<std::optional<access::Token>> FindToken(const std::string& hash) override { return access_.FindToken(hash); }
  Status DeleteToken(const std::string& hash) override { return access_.DeleteToken(hash); }
  Status AppendAudit(const access::AuditRecord& r) override { return access_.AppendAudit(r); }
  Result<std::vector<access::AuditRecord>> ListAudit(std::optional<std::int64_t> before, int limit) override {
    return access_.ListAudit(before, limit);
  }

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
