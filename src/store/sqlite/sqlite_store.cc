// SQLite store: WAL, synchronous=FULL, one writer thread that commits whatever commands are queued in one
// transaction (group commit), and a pool of read connections. Each command in a batch runs inside its own
// SAVEPOINT, so one refused command (version mismatch, duplicate) does not undo its neighbours. When nothing
// is queued, the writer merges the full-text index (MergeFullTextStep); WAL checkpoints run inside its commits.
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <future>
#include <mutex>
#include <thread>

#include "common/histogram.h"
#include "common/log.h"
#include "store/codec.h"
#include "store/sqlite/cjk_tokenizer.h"
#include "store/store.h"

namespace civicgrid::store {

using cases::Case;
using cases::CaseDigest;
using cases::CaseEvent;
using cases::CaseId;
using cases::CasePage;
using cases::CaseQuery;
using cases::CaseWrite;
using cases::kDuplicateExternalId;
using cases::kDuplicateIdempotencyKey;
using cases::kVersionMismatch;
using access::AuditRecord;
using access::Token;
using access::User;
using dispatch::RoutingRule;

namespace {

using cases::CaseStatus;

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

bool IsFull(int rc) { return (rc & 0xff) == SQLITE_FULL || (rc & 0xff) == SQLITE_IOERR; }

Error DbError(sqlite3* db, int rc, const std::string& what) {
  Error e{IsFull(rc) ? ErrorCode::kUnavailable : ErrorCode::kInternal,
          what + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)), {}, {}};
  return e;
}

// A prepared statement with positional binding helpers; reset on destruction of the Binder.
class Stmt {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* s) : db_(db), s_(s) {}
  ~Stmt() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  Stmt& Bind(int i, std::int64_t v) { sqlite3_bind_int64(s_, i, v); return *this; }
  Stmt& Bind(int i, int v) { sqlite3_bind_int64(s_, i, v); return *this; }
  Stmt& Bind(int i, double v) { sqlite3_bind_double(s_, i, v); return *this; }
  Stmt& Bind(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.data(), int(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& BindNull(int i) { sqlite3_bind_null(s_, i); return *this; }
  Stmt& BindOpt(int i, const std::optional<TimePoint>& t) { return t ? Bind(i, ToMillis(*t)) : BindNull(i); }
  Stmt& BindTextOrNull(int i, const std::string& v) { return v.empty() ? BindNull(i) : Bind(i, v); }
  int Step() { return sqlite3_step(s_); }
  std::int64_t Int(int col) const { return sqlite3_column_int64(s_, col); }
  double Real(int col) const { return sqlite3_column_double(s_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
  std::string Text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
    return p ? std::string(p, size_t(sqlite3_column_bytes(s_, col))) : std::string();
  }
  sqlite3* db() const { return db_; }

 private:
  sqlite3* db_;
  sqlite3_stmt* s_;
};

// One connection with its statement cache. Used by one thread at a time.
class Connection {
 public:
  static Result<std::unique_ptr<Connection>> Open(const std::string& path, bool write, bool sync_full) {
    sqlite3* raw = nullptr;
    const int flags = (write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY) |
                      SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    DbPtr db(raw);
    if (rc != SQLITE_OK) return DbError(raw, rc, "cannot open " + path);
    sqlite3_busy_timeout(raw, 10000);
    sqlite3_extended_result_codes(raw, 1);
    // Keep the WAL and its index (-wal, -shm) when the last connection closes, rather than delete them: the
    // next start can then open the store on a full disk (there may be no room to make the 32 KiB index
    // again) and serve reads. With a journal_size_limit (below), a WAL whose checkpoint succeeded is cut
    // to 0 bytes at that close, so its space is still given back.
    int persist_wal = 1;
    sqlite3_file_control(raw, "main", SQLITE_FCNTL_PERSIST_WAL, &persist_wal);
    auto conn = std::unique_ptr<Connection>(new Connection(std::move(db)));
    // Full-text search needs the tokenizer on every connection that touches cases_fts.
    if (int trc = RegisterCjkTokenizer(raw); trc != SQLITE_OK) return DbError(raw, trc, "cannot register tokenizer");
    if (write) {
      // journal_size_limit: see persist_wal above; also, a WAL blown up by one huge write is cut back to
      // 64 MiB when it is next reset, rather than kept at its largest.
      for (const char* pragma :
           {"PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON", "PRAGMA journal_size_limit=67108864"})
        if (auto st = conn->Exec(pragma); !st) return st.error();
      if (auto st = conn->Exec(sync_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"); !st)
        return st.error();
      // 64 MiB of page cache: a group commit of 50 intakes dirties ~600 pages (row, eight indexes, full-text
      // segments), beyond the default 2 MiB, which then spills to the WAL mid-transaction.
      if (auto st = conn->Exec("PRAGMA cache_size=-65536"); !st) return st.error();
    }
    return conn;
  }

  Status Exec(const std::string& sql) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      Error e = DbError(db_.get(), rc, "sql failed");
      sqlite3_free(err);
      return e;
    }
    return OkStatus();
  }

  // Prepared once per connection, reused (the statement cache is the point of keeping connections).
  Stmt Prepare(const std::string& sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
      sqlite3_stmt* s = nullptr;
      const int rc = sqlite3_prepare_v3(db_.get(), sql.c_str(), int(sql.size()), SQLITE_PREPARE_PERSISTENT, &s,
                                        nullptr);
      if (rc != SQLITE_OK) {
        log::Error(std::string("prepare failed: ") + sqlite3_errmsg(db_.get()) + " in " + sql);
        std::abort();  // a bug in our SQL, not a runtime condition
      }
      it = cache_.emplace(sql, StmtPtr(s)).first;
    }
    return Stmt(db_.get(), it->second.get());
  }

  sqlite3* db() const { return db_.get(); }

 private:
  explicit Connection(DbPtr db) : db_(std::move(db)) {}
  DbPtr db_;
  std::map<std::string, StmtPtr> cache_;
};

// Versioned migrations: user_version is the number applied. Append only; never edit a shipped step.
const std::vector<std::string> kMigrations = {
    // 1: reference data and cases
    R"(
CREATE TABLE regions(code TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, parent TEXT,
                     geometry TEXT);
CREATE INDEX regions_parent ON regions(parent);
CREATE TABLE orgs(code TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, region TEXT NOT NULL);
CREATE TABLE categories(code TEXT PRIMARY KEY, parent TEXT, name_zh TEXT NOT NULL, name_en TEXT NOT NULL,
                        accept_hours REAL NOT NULL, resolve_days REAL NOT NULL);
CREATE TABLE settings(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE cases(
  id INTEGER PRIMARY KEY,
  county TEXT NOT NULL,          -- the distribution key when the schema moves to a sharded PostgreSQL
  number TEXT NOT NULL UNIQUE,
  channel TEXT NOT NULL,
  external_id TEXT,
  category TEXT NOT NULL,
  grid TEXT,
  region_path TEXT NOT NULL,
  org TEXT,
  status TEXT NOT NULL,
  accept_by INTEGER,
  resolve_by INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  version INTEGER NOT NULL,
  doc TEXT NOT NULL              -- the whole Case; the columns above are its indexed part
);
CREATE UNIQUE INDEX cases_external ON cases(channel, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX cases_status ON cases(status, id);
CREATE INDEX cases_region ON cases(region_path, id);
CREATE INDEX cases_org ON cases(org, id) WHERE org IS NOT NULL;
CREATE INDEX cases_category ON cases(category, id);
CREATE INDEX cases_created ON cases(created_at);
CREATE TABLE case_events(
  case_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  actor TEXT NOT NULL,
  at INTEGER NOT NULL,
  payload TEXT NOT NULL,
  PRIMARY KEY(case_id, seq)
) WITHOUT ROWID;
CREATE TABLE idempotency(key TEXT PRIMARY KEY, case_id INTEGER NOT NULL, created_at INTEGER NOT NULL);
)",
    // 2: accounts
    R"(
CREATE TABLE users(id INTEGER PRIMARY KEY, login TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL,
                   disabled INTEGER NOT NULL DEFAULT 0);
CREATE TABLE user_roles(user_id INTEGER NOT NULL REFERENCES users(id), role TEXT NOT NULL, scope TEXT NOT NULL,
                        PRIMARY KEY(user_id, role, scope));
CREATE TABLE tokens(hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
                    expires_at INTEGER NOT NULL);
)",
    // 3: who took a case in (residents and channel keys see their own cases); the security audit log
    R"(
ALTER TABLE cases ADD COLUMN taken_by TEXT;
UPDATE cases SET taken_by=(SELECT actor FROM case_events e WHERE e.case_id=cases.id AND e.seq=1);
UPDATE cases SET doc=json_set(doc, '$.taken_by', taken_by);
CREATE INDEX cases_taken_by ON cases(taken_by, id);
CREATE TABLE security_audit(id INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL,
                            action TEXT NOT NULL, target TEXT NOT NULL, detail TEXT NOT NULL,
                            remote TEXT NOT NULL);
CREATE INDEX security_audit_at ON security_audit(at);
-- The audit log is append-only: no API updates or deletes it, and the store refuses to.
CREATE TRIGGER security_audit_no_update BEFORE UPDATE ON security_audit
  BEGIN SELECT RAISE(ABORT, 'the security audit log is append-only'); END;
CREATE TRIGGER security_audit_no_delete BEFORE DELETE ON security_audit WHEN old.at > (strftime('%s','now') - 183*86400) * 1000
  BEGIN SELECT RAISE(ABORT, 'audit records are kept at least six months'); END;
ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN password_changed_at INTEGER NOT NULL DEFAULT 0;
UPDATE users SET password_changed_at = CAST(strftime('%s','now') AS INTEGER) * 1000;  -- the expiry clock starts now
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
)",
    // 4: the command centre: escalation level (the difficult-matters queue), routing rules, full-text search
    R"(
ALTER TABLE cases ADD COLUMN level TEXT NOT NULL DEFAULT 'community';
-- For start-up without decoding cases: the cockpit tally, the next alert, the place (filled by the refold).
ALTER TABLE cases ADD COLUMN tally INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN next_alert_at INTEGER;
ALTER TABLE cases ADD COLUMN lat REAL;
ALTER TABLE cases ADD COLUMN lon REAL;
CREATE INDEX cases_level ON cases(level, id) WHERE level<>'community';
-- The departments of a case's whistle, so a co-department's list shows the cases it must report on.
CREATE TABLE whistle_parts(case_id INTEGER NOT NULL, org TEXT NOT NULL, PRIMARY KEY(case_id, org)) WITHOUT ROWID;
CREATE INDEX whistle_parts_org ON whistle_parts(org, case_id);
-- Check-ins a department missed (一哨联办 counts them against it), kept with the events that record them.
CREATE TABLE missed_check_ins(org TEXT PRIMARY KEY, count INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE routing_rules(id INTEGER PRIMARY KEY, category TEXT NOT NULL, region TEXT NOT NULL,
                           org TEXT NOT NULL, created_by TEXT NOT NULL, created_at INTEGER NOT NULL);
-- Contentless: the text lives in cases.doc and never changes after intake; rowid is the case id.
-- `places` holds "r" + each region code on the case's path as tokens, so a search scoped to a region is
-- intersected inside the index instead of testing every match's row.
CREATE VIRTUAL TABLE cases_fts USING fts5(title, description, address, places, content='', tokenize='civicgrid');
INSERT INTO cases_fts(rowid, title, description, address, places)
  SELECT id, json_extract(doc, '$.origin.title'), json_extract(doc, '$.origin.description'),
         json_extract(doc, '$.origin.address'), 'r' || replace(trim(region_path, '/'), '/', ' r') FROM cases;
)",
    // 5: start-up reads every case's digest. The columns migration 4 added lie after the ~1.3 KB doc, so a scan
    // of the table reads whole rows; this covering index holds just the digest (~100 bytes a case). In order of
    // intake time, so the cockpit folds one day's cases after another and that day's cells stay in cache
    // (measured at 1 M cases: 0.72–1.0 s, against 1.6 s in region order and 1.9 s from the table).
    R"(
CREATE INDEX cases_digest ON cases(created_at, region_path, channel, category, org, status, tally, next_alert_at,
                                   lat, lon, version);
)",
    // 6: the time step of the last one-time code each user logged in with, so that a code seen over a
    // shoulder or replayed from a log cannot be used again within its 90-second window.
    R"(
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
)",
    // 7: the full-text index merges its segments when the writer is idle (SqliteStore::MergeFullTextStep), not
    // inside the group commits of intakes. A setting stored in the index itself (cases_fts_config).
    R"(
INSERT INTO cases_fts(cases_fts, rank) VALUES('automerge', 0);
)",
};

using reference::PathCodes;

// The codes on a region path as search tokens: "/c/t/g/" → "rc rt rg" (see cases_fts.places).
std::string PlaceTokens(const std::string& path) {
  std::string out;
  for (const auto& code : PathCodes(path)) out += (out.empty() ? "r" : " r") + code;
  return out;
}

// An FTS5 phrase for one region code in `places` (quoted: codes may hold characters the tokenizer splits on).
std::string PlacePhrase(const std::string& code) {
  std::string q = "places : \"r";
  for (char ch : code) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return q + "\"";
}

std::string CountyOf(const cases::Case& c) {
  // region_path is "/root/…/": its first segment is the county (or the root of the imported tree).
  const auto& p = c.origin.region_path;
  if (p.size() < 2) return "";
  const auto end = p.find('/', 1);
  return p.substr(1, end == std::string::npos ? std::string::npos : end - 1);
}

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(SqliteOptions options) : options_(std::move(options)) {}

  ~SqliteStore() override {
    {
      std::lock_guard lock(queue_mu_);
      stopping_ = true;
    }
    queue_cv_.notify_all();
    if (writer_thread_.joinable()) writer_thread_.join();
  }

  Status Init(int migrate_to) {
    auto w = Connection::Open(options_.path, true, options_.synchronous_full);
    if (!w.ok()) return w.error();
    writer_ = std::move(w.value());
    if (auto st = Migrate(migrate_to); !st) return st;
    for (int i = 0; i < options_.readers; ++i) {
      auto r = Connection::Open(options_.path, false, false);
      if (!r.ok()) return r.error();
      readers_.push_back(std::move(r.value()));
    }
    {
      auto s = writer_->Prepare("SELECT COALESCE(MAX(id), 0) FROM cases");
      s.Step();
      next_id_ = s.Int(0) + 1;
    }
    writer_thread_ = std::thread([this] { WriterLoop(); });
    return OkStatus();
  }

  // ---- reference data ----
  Status UpsertRegions(const std::vector<reference::Region>& regions) override {
    return Write([&](Connection& c) -> Status {
      if (auto st = BumpReferenceVersion(c); !st) return st;
      for (const auto& r : regions) {
        auto s = c.Prepare(
            "INSERT INTO regions(code,name,kind,parent,geometry) VALUES(?,?,?,?,?) ON CONFLICT(code) DO UPDATE "
            "SET name=excluded.name, kind=excluded.kind, parent=excluded.parent, geometry=excluded.geometry");
        s.Bind(1, r.code).Bind(2, r.name).Bind(3, std::string(Name(r.kind)));
        s.BindTextOrNull(4, r.parent).BindTextOrNull(5, r.geometry);
        if (int rc = s.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "region " + r.code);
      }
      return OkStatus();
    });
  }

  Result<std::vector<reference::Region>> LoadRegions() override {
    return Read<std::vector<reference::Region>>([](Connection& c) -> Result<std::vector<reference::Region>> {
      std::vector<reference::Region> out;
      auto s = c.Prepare("SELECT code,name,kind,parent,geometry FROM regions ORDER BY code");
      while (s.Step() == SQLITE_ROW) {
        reference::Region r{s.Text(0), s.Text(1), reference::ParseRegionKind(s.Text(2)).value_or(reference::RegionKind::kGrid),
                        s.Text(3), s.Text(4)};
        out.push_back(std::move(r));
      }
      return out;
    });
  }

  Status UpsertOrgs(const std::vector<reference::Org>& orgs) override {
    return Write([&](Connection& c) -> Status {
      if (auto st = BumpReferenceVersion(c); !st) return st;
      for (const auto& o : orgs) {
        auto s = c.Prepare(
            "INSERT INTO orgs(code,name,kind,region) VALUES(?,?,?,?) ON CONFLICT(code) DO UPDATE SET "
            "name=excluded.name, kind=excluded.kind, region=excluded.region");
        s.Bind(1, o.code).Bind(2, o.name).Bind(3, o.kind).Bind(4, o.region);
        if (int rc = s.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "org " + o.code);
      }
      return OkStatus();
    });
  }

  Result<std::vector<reference::Org>> LoadOrgs() override {
    return Read<std::vector<reference::Org>>([](Connection& c) -> Result<std::vector<reference::Org>> {
      std::vector<reference::Org> out;
      auto s = c.Prepare("SELECT code,name,kind,region FROM orgs ORDER BY code");
      while (s.Step() == SQLITE_ROW) out.push_back({s.Text(0), s.Text(1), s.Text(2), s.Text(3)});
      return out;
    });
  }

  Status UpsertCategories(const std::vector<reference::Category>& cats) override {
    return Write([&](Connection& c) -> Status {
      if (auto st = BumpReferenceVersion(c); !st) return st;
      for (const auto& k : cats) {
        auto s = c.Prepare(
            "INSERT INTO categories(code,parent,name_zh,name_en,accept_hours,resolve_days) VALUES(?,?,?,?,?,?) "
            "ON CONFLICT(code) DO UPDATE SET parent=excluded.parent, name_zh=excluded.name_zh, "
            "name_en=excluded.name_en, accept_hours=excluded.accept_hours, resolve_days=excluded.resolve_days");
        s.Bind(1, k.code).BindTextOrNull(2, k.parent).Bind(3, k.name_zh).Bind(4, k.name_en);
        s.Bind(5, k.accept_hours).Bind(6, k.resolve_days);
        if (int rc = s.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "category " + k.code);
      }
      return OkStatus();
    });
  }

  Result<std::vector<reference::Category>> LoadCategories() override {
    return Read<std::vector<reference::Category>>([](Connection& c) -> Result<std::vector<reference::Category>> {
      std::vector<reference::Category> out;
      auto s = c.Prepare("SELECT code,parent,name_zh,name_en,accept_hours,resolve_days FROM categories ORDER BY code");
      while (s.Step() == SQLITE_ROW)
        out.push_back({s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Real(4), s.Real(5)});
      return out;
    });
  }

  Status SaveHolidays(const std::string& csv) override {
    return Write([&](Connection& c) -> Status {
      if (auto st = BumpReferenceVersion(c); !st) return st;
      auto s = c.Prepare("INSERT INTO settings(key,value) VALUES('holidays',?) ON CONFLICT(key) DO UPDATE SET "
                         "value=excluded.value");
      s.Bind(1, csv);
      if (int rc = s.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "holidays");
      return OkStatus();
    });
  }

  Result<std::string> LoadHolidays() override {
    return Read<std::string>([](Connection& c) -> Result<std::string> {
      auto s = c.Prepare("SELECT value FROM settings WHERE key='holidays'");
      if (s.Step() == SQLITE_ROW) return s.Text(0);
      return std::string();
    });
  }

  Result<std::string> GetSetting(const std::string& key) override {
    return Read<std::string>([&](Connection& c) -> Result<std::string> {
      auto s = c.Prepare("SELECT value FROM settings WHERE key=?");
      s.Bind(1, key);
      if (s.Step() == SQLITE_ROW) return s.Text(0);
      return std::string();
    });
  }

  Status PutSetting(const std::string& key, const std::string& value) override {
    return Write([&](Connection& c) -> Status {
      auto s = c.Prepare("INSERT INTO settings(key,value) VALUES(?,?) ON CONFLICT(key) DO UPDATE SET value=excluded.value");
      s.Bind(1, key).Bind(2, value);
      if (int rc = s.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "setting " + key);
      return OkStatus();
    });
  }

  Result<std::int64_t> ReferenceVersion() override {
    return Read<std::int64_t>([](Connection& c) -> Result<std::int64_t> {
      auto s = c.Prepare("SELECT CAST(value AS INTEGER) FROM settings WHERE key='reference_version'");
      return s.Step() == SQLITE_ROW ? s.Int(0) : std::int64_t{0};
    });
  }

  // ---- cases ----
  std::string MetricsText() const override {
    return "# HELP civicgrid_store_write_wait_seconds How long a write waited for the writer to begin its group "
           "commit.\n# TYPE civicgrid_store_write_wait_seconds histogram\n" +
           queue_seconds_.Render("civicgrid_store_write_wait_seconds", "") +
           "# HELP civicgrid_store_commit_seconds Group commits, from BEGIN to the end of COMMIT (the writes, the "
           "fsync and any WAL checkpoint).\n# TYPE civicgrid_store_commit_seconds histogram\n" +
           commit_seconds_.Render("civicgrid_store_commit_seconds", "") +
           "# HELP civicgrid_store_writes_total Writes (commands) committed or refused in group commits.\n"
           "# TYPE civicgrid_store_writes_total counter\ncivicgrid_store_writes_total " +
           std::to_string(commands_.load(std::memory_order_relaxed)) + "\n";
  }

  CaseId NextCaseId() override { return next_id_.fetch_add(1); }

  Status CommitCase(const CaseWrite& w) override {
    return Write([&](Connection& c) -> Status { return ApplyCaseWrite(c, w); });
  }

  Status CommitCases(const std::vector<CaseWrite>& writes) override {
    return Write([&](Connection& c) -> Status {
      for (const auto& w : writes)
        if (auto st = ApplyCaseWrite(c, w); !st) return st;  // the job's savepoint undoes the others
      return OkStatus();
    });
  }

  Status ScanCases(bool open_only, const std::function<void(Case&&)>& fn) override {
    auto st = Read<bool>([&](Connection& c) -> Result<bool> {
      auto s = c.Prepare(open_only ? "SELECT doc FROM cases WHERE status IN ('received','dispatched','accepted',"
                                     "'resolved')"
                                   : "SELECT doc FROM cases");
      int rc;
      while ((rc = s.Step()) == SQLITE_ROW) {
        auto decoded = DecodeCase(s.Text(0));
        if (!decoded.ok()) return decoded.error();
        fn(std::move(decoded.value()));
      }
      if (rc != SQLITE_DONE) return DbError(c.db(), rc, "scan cases");
      return true;
    });
    if (!st.ok()) return st.error();
    return OkStatus();
  }

  Status ScanDigests(const std::function<void(const CaseDigest&)>& fn) override {
    auto st = Read<bool>([&](Connection& c) -> Result<bool> {
      // The covering index only (no table row is read); in its order (intake time), not by id.
      auto s = c.Prepare("SELECT id,version,status,region_path,channel,category,org,created_at,tally,lat,lon,"
                         "next_alert_at FROM cases INDEXED BY cases_digest");
      CaseDigest d;
      int rc;
      while ((rc = s.Step()) == SQLITE_ROW) {
        d.id = s.Int(0);
        d.version = s.Int(1);
        auto status = cases::ParseCaseStatus(s.Text(2));
        if (!status) return Internal("corrupt case row " + std::to_string(d.id) + ": status");
        d.status = *status;
        d.region_path = s.Text(3);
        d.channel = s.Text(4);
        d.category = s.Text(5);
        d.org = s.Text(6);
        d.created_at = FromMillis(s.Int(7));
        d.tally = s.Int(8);
        d.location.reset();
        if (!s.IsNull(9)) d.location = cases::GeoPoint{s.Real(9), s.Real(10)};
        d.next_alert.reset();
        if (!s.IsNull(11)) d.next_alert = FromMillis(s.Int(11));
        fn(d);
      }
      if (rc != SQLITE_DONE) return DbError(c.db(), rc, "scan digests");
      return true;
    });
    if (!st.ok()) return st.error();
    return OkStatus();
  }

  Result<std::map<std::string, std::int64_t>> MissedCheckIns() override {
    return Read<std::map<std::string, std::int64_t>>([](Connection& c) -> Result<std::map<std::string, std::int64_t>> {
      std::map<std::string, std::int64_t> out;
      auto s = c.Prepare("SELECT org,count FROM missed_check_ins");
      while (s.Step() == SQLITE_ROW) out[s.Text(0)] = s.Int(1);
      return out;
    });
  }

  Result<std::vector<RoutingRule>> ListRoutingRules() override {
    return Read<std::vector<RoutingRule>>([](Connection& c) -> Result<std::vector<RoutingRule>> {
      std::vector<RoutingRule> out;
      auto s = c.Prepare("SELECT id,category,region,org,created_by,created_at FROM routing_rules ORDER BY id");
      while (s.Step() == SQLITE_ROW)
        out.push_back({s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), FromMillis(s.Int(5))});
      return out;
    });
  }

  Result<std::int64_t> AddRoutingRule(const RoutingRule& r) override {
    std::int64_t id = 0;
    auto st = Write([&](Connection& c) -> Status {
      if (auto st = BumpReferenceVersion(c); !st) return st;
      auto s = c.Prepare("INSERT INTO routing_rules(category,region,org,created_by,created_at) VALUES(?,?,?,?,?)");
      s.Bind(1, r.category).Bind(2, r.region).Bind(3, r.org).Bind(4, r.created_by).Bind(5, ToMillis(r.created_at));
      if (int rc = s.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "add routing rule");
      id = sqlite3_last_insert_rowid(c.db());
      return OkStatus();
    });
    if (!st) return st.error();
    return id;
  }

  Status DeleteRoutingRule(std::int64_t id) override {
    return Write([&](Connection& c) -> Status {
      auto s = c.Prepare("DELETE FROM routing_rules WHERE id=?");
      s.Bind(1, id);
      if (int rc = s.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "delete routing rule");
      if (sqlite3_changes(c.db()) != 1) return NotFound("routing rule " + std::to_string(id) + " does not exist");
      return BumpReferenceVersion(c);
    });
  }

  Result<std::optional<Case>> GetCase(CaseId id) override {
    return Read<std::optional<Case>>([id](Connection& c) -> Result<std::optional<Case>> {
      auto s = c.Prepare("SELECT doc FROM cases WHERE id=?");
      s.Bind(1, id);
      if (s.Step() != SQLITE_ROW) return std::optional<Case>();
      auto decoded = DecodeCase(s.Text(0));
      if (!decoded.ok()) return decoded.error();
      return std::optional<Case>(std::move(decoded.value()));
    });
  }

  Result<std::optional<CaseId>> FindByExternalId(const std::string& channel, const std::string& external_id) override {
    return Read<std::optional<CaseId>>([&](Connection& c) -> Result<std::optional<CaseId>> {
      auto s = c.Prepare("SELECT id FROM cases WHERE channel=? AND external_id=?");
      s.Bind(1, channel).Bind(2, external_id);
      if (s.Step() == SQLITE_ROW) return std::optional<CaseId>(s.Int(0));
      return std::optional<CaseId>();
    });
  }

  Result<std::optional<CaseId>> FindByIdempotencyKey(const std::string& key) override {
    return Read<std::optional<CaseId>>([&](Connection& c) -> Result<std::optional<CaseId>> {
      auto s = c.Prepare("SELECT case_id FROM idempotency WHERE key=?");
      s.Bind(1, key);
      if (s.Step() == SQLITE_ROW) return std::optional<CaseId>(s.Int(0));
      return std::optional<CaseId>();
    });
  }

  Result<std::vector<CaseEvent>> LoadEvents(CaseId id) override {
    return Read<std::vector<CaseEvent>>([id](Connection& c) -> Result<std::vector<CaseEvent>> {
      std::vector<CaseEvent> out;
      auto s = c.Prepare("SELECT seq,type,actor,at,payload FROM case_events WHERE case_id=? ORDER BY seq");
      s.Bind(1, id);
      while (s.Step() == SQLITE_ROW) {
        CaseEvent e;
        e.item = id;
        e.seq = s.Int(0);
        auto type = cases::ParseEventType(s.Text(1));
        if (!type) return Internal("corrupt event type " + s.Text(1));
        e.body = cases::EmptyBody(*type);
        e.actor = s.Text(2);
        e.at = FromMillis(s.Int(3));
        if (auto st = DecodeEventPayload(s.Text(4), e); !st) return st.error();
        out.push_back(std::move(e));
      }
      return out;
    });
  }

  Result<CasePage> ListCases(const CaseQuery& q) override {
    // Keyset pagination on id (newest first); each filter is one indexed predicate, so SQLite can walk the
    // most selective index instead of the table.
    std::string match;
    if (!q.text.empty()) {
      auto m = MatchExpression(q.text);
      if (!m) return Invalid("q", "q needs a word of two Chinese characters or more, or an English word");
      // The user's words search the text columns only; the region scope (the filter, and a caller who sees
      // by region alone) is intersected in the index through `places`. The SQL predicates below still apply.
      match = "{title description address} : (" + *m + ")";
      auto last_code = [](const std::string& path) {
        const auto codes = PathCodes(path);
        return codes.empty() ? std::string() : codes.back();
      };
      if (!q.region_path.empty() && !last_code(q.region_path).empty())
        match += " AND " + PlacePhrase(last_code(q.region_path));
      const auto& v = q.visibility;
      if (!v.all && !v.region_paths.empty() && v.orgs.empty() && v.taken_by.empty()) {
        std::string any;
        for (const auto& p : v.region_paths) {
          const std::string code = last_code(p);
          if (!code.empty()) any += (any.empty() ? "" : " OR ") + PlacePhrase(code);
        }
        if (!any.empty()) match += " AND (" + any + ")";
      }
    }
    // Ranked search: relevance (civicgrid_rank, cjk_tokenizer.cc) among the newest matches, at most
    // kRankWindow of them (more when paging deeper), so a word that occurs in a fifth of a million cases costs
    // a bounded walk of the index in id order instead of ranking every match. The inner query selects ids only, so nothing large is sorted;
    // without any filter the FTS table answers alone, with filters each match joins its row.
    const bool unfiltered = q.visibility.all && !q.status && q.region_path.empty() && q.category.empty() &&
                            q.org.empty() && !q.from && !q.to && !q.level;
    std::string sql = match.empty() ? "SELECT doc FROM cases WHERE 1=1"
                      : unfiltered  ? "SELECT rowid AS id, civicgrid_rank(cases_fts) AS r FROM cases_fts "
                                      "WHERE cases_fts MATCH ?"
                                    : "SELECT cases.id AS id, civicgrid_rank(cases_fts) AS r FROM cases_fts JOIN cases "
                                      "ON cases.id=cases_fts.rowid WHERE cases_fts MATCH ?";
    std::vector<std::function<void(Stmt&, int)>> binds;
    if (!match.empty()) {
      const std::string m = match;
      binds.push_back([m](Stmt& s, int i) { s.Bind(i, m); });
    }
    auto add = [&](const std::string& clause, std::function<void(Stmt&, int)> bind) {
      sql += " AND " + clause;
      binds.push_back(std::move(bind));
    };
    if (!q.visibility.all) {
      // One parenthesised OR of the caller's grants; an empty grant list sees nothing.
      std::string clause = "(0";
      for (const auto& path : q.visibility.region_paths) {
        clause += " OR (region_path>=? AND region_path<?)";
        const std::string lo = path, hi = path + "\xff";
        binds.push_back([lo](Stmt& s, int i) { s.Bind(i, lo); });
        binds.push_back([hi](Stmt& s, int i) { s.Bind(i, hi); });
      }
      for (const auto& org : q.visibility.orgs) {
        clause += " OR org=? OR id IN (SELECT case_id FROM whistle_parts WHERE org=?)";
        binds.push_back([org](Stmt& s, int i) { s.Bind(i, org); });
        binds.push_back([org](Stmt& s, int i) { s.Bind(i, org); });
      }
      for (const auto& who : q.visibility.taken_by) {
        clause += " OR taken_by=?";
        binds.push_back([who](Stmt& s, int i) { s.Bind(i, who); });
      }
      sql += " AND " + clause + ")";
    }
    if (q.status) {
      const std::string v(Name(*q.status));
      add("status=?", [v](Stmt& s, int i) { s.Bind(i, v); });
    }
    if (!q.region_path.empty()) {
      const std::string lo = q.region_path, hi = q.region_path + "\xff";
      add("region_path>=?", [lo](Stmt& s, int i) { s.Bind(i, lo); });
      add("region_path<?", [hi](Stmt& s, int i) { s.Bind(i, hi); });
    }
    if (!q.category.empty()) {
      const std::string lo = q.category, hi = q.category + "\xff";
      add("category>=?", [lo](Stmt& s, int i) { s.Bind(i, lo); });
      add("category<?", [hi](Stmt& s, int i) { s.Bind(i, hi); });
    }
    if (!q.org.empty()) {
      const std::string v = q.org;
      add("org=?", [v](Stmt& s, int i) { s.Bind(i, v); });
    }
    if (q.from) {
      const auto v = ToMillis(*q.from);
      add("created_at>=?", [v](Stmt& s, int i) { s.Bind(i, v); });
    }
    if (q.to) {
      const auto v = ToMillis(*q.to);
      add("created_at<?", [v](Stmt& s, int i) { s.Bind(i, v); });
    }
    if (q.level) sql += " AND level='" + std::string(Name(*q.level)) + "'";  // a literal: the partial index
    if (q.before && match.empty()) {
      const auto v = *q.before;
      add("id<?", [v](Stmt& s, int i) { s.Bind(i, v); });
    }
    const bool ranked = !match.empty();
    if (ranked) {
      constexpr int kRankWindow = 1000;
      const int window = std::max(kRankWindow, std::max(q.offset, 0) + q.limit + 1);
      sql = "SELECT id FROM (" + sql + (unfiltered ? " ORDER BY rowid DESC" : " ORDER BY cases_fts.rowid DESC") +
            " LIMIT " + std::to_string(window) + ") ORDER BY r DESC, id DESC LIMIT ? OFFSET " +
            std::to_string(std::max(q.offset, 0));
    } else {
      sql += " ORDER BY id DESC LIMIT ?";
    }
    const int limit = q.limit;
    return Read<CasePage>([&](Connection& c) -> Result<CasePage> {
      auto s = c.Prepare(sql);
      int i = 1;
      for (auto& b : binds) b(s, i++);
      s.Bind(i, limit + 1);
      CasePage page;
      int rc;
      std::vector<CaseId> ranked_ids;
      while ((rc = s.Step()) == SQLITE_ROW) {
        if (int(page.items.size() + ranked_ids.size()) == limit) {
          if (ranked) page.next_offset = std::max(q.offset, 0) + limit;
          else page.next_before = page.items.back().id;
          break;
        }
        if (ranked) {
          ranked_ids.push_back(s.Int(0));
          continue;
        }
        auto decoded = DecodeCase(s.Text(0));
        if (!decoded.ok()) return decoded.error();
        page.items.push_back(std::move(decoded.value()));
      }
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) return DbError(c.db(), rc, "list cases");
      for (const CaseId id : ranked_ids) {
        auto d = c.Prepare("SELECT doc FROM cases WHERE id=?");
        d.Bind(1, id);
        if (d.Step() != SQLITE_ROW) continue;  // cases are never deleted; skip rather than fail if one were
        auto decoded = DecodeCase(d.Text(0));
        if (!decoded.ok()) return decoded.error();
        page.items.push_back(std::move(decoded.value()));
      }
      return page;
    });
  }

  Result<std::int64_t> CountCases() override {
    return Read<std::int64_t>([](Connection& c) -> Result<std::int64_t> {
      auto s = c.Prepare("SELECT COUNT(*) FROM cases");
      s.Step();
      return s.Int(0);
    });
  }

  // ---- accounts ----
  Result<std::int64_t> AddUser(const User& u) override {
    std::int64_t id = 0;
    auto st = Write([&](Connection& c) -> Status {
      auto s = c.Prepare(
          "INSERT INTO users(login,password_hash,disabled,password_changed_at,totp_secret) VALUES(?,?,?,?,?)");
      s.Bind(1, u.login).Bind(2, u.password_hash).Bind(3, int(u.disabled)).Bind(4, ToMillis(u.password_changed_at));
      s.Bind(5, u.totp_secret);
      if (int rc = s.Step(); rc != SQLITE_DONE) {
        if ((rc & 0xff) == SQLITE_CONSTRAINT) return Error{ErrorCode::kConflict, "login exists", "login", {}};
        return DbError(c.db(), rc, "add user");
      }
      id = sqlite3_last_insert_rowid(c.db());
      for (const auto& [role, scope] : u.roles) {
        auto r = c.Prepare("INSERT OR IGNORE INTO user_roles(user_id,role,scope) VALUES(?,?,?)");
        r.Bind(1, id).Bind(2, role).Bind(3, scope);
        if (int rc = r.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "add role");
      }
      return OkStatus();
    });
    if (!st) return st.error();
    return id;
  }

  Result<std::optional<User>> FindUser(const std::string& login) override {
    return Read<std::optional<User>>([&](Connection& c) { return LoadUser(c, "login=?", login, 0); });
  }
  Result<std::optional<User>> FindUserById(std::int64_t id) override {
    return Read<std::optional<User>>([&](Connection& c) { return LoadUser(c, "id=?", "", id); });
  }

  Result<std::vector<User>> ListUsers() override {
    return Read<std::vector<User>>([&](Connection& c) -> Result<std::vector<User>> {
      std::vector<std::int64_t> ids;
      {
        auto s = c.Prepare("SELECT id FROM users ORDER BY login");
        while (s.Step() == SQLITE_ROW) ids.push_back(s.Int(0));
      }
      std::vector<User> out;
      for (auto id : ids) {
        auto u = LoadUser(c, "id=?", "", id);
        if (!u.ok()) return u.error();
        if (*u) out.push_back(std::move(**u));
      }
      return out;
    });
  }

  Status SetUserDisabled(const std::string& login, bool disabled) override {
    return Write([&](Connection& c) -> Status {
      auto s = c.Prepare("UPDATE users SET disabled=? WHERE login=?");
      s.Bind(1, int(disabled)).Bind(2, login);
      if (int rc = s.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "disable user");
      if (sqlite3_changes(c.db()) != 1) return NotFound("no user '" + login + "'");
      if (disabled) {  // a disabled user's tokens stop working at once
        auto t = c.Prepare("DELETE FROM tokens WHERE user_id=(SELECT id FROM users WHERE login=?)");
        t.Bind(1, login);
        if (int rc = t.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "revoke tokens");
      }
      return OkStatus();
    });
  }

  Status SetPassword(std::int64_t user_id, const std::string& hash, TimePoint at) override {
    return Write([&](Connection& c) -> Status {
      auto s = c.Prepare("UPDATE users SET password_hash=?, password_changed_at=? WHERE id=?");
      s.Bind(1, hash).Bind(2, ToMillis(at)).Bind(3, user_id);
      if (int rc = s.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "set password");
      auto t = c.Prepare("DELETE FROM tokens WHERE user_id=?");  // a new password ends every session
      t.Bind(1, user_id);
      if (int rc = t.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "revoke tokens");
      return OkStatus();
    });
  }

  Status RecordLoginFailure(std::int64_t user_id, int failed, TimePoint locked_until) override {
    return Write([&](Connection& c) -> Status {
      auto s = c.Prepare("UPDATE users SET failed_logins=?, locked_until=? WHERE id=?");
      s.Bind(1, failed).Bind(2, ToMillis(locked_until)).Bind(3, user_id);
      if (int rc = s.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "login failure");
      return OkStatus();
    });
  }

  Status RecordLoginSuccess(std::int64_t user_id) override {
    return Write([&](Connection& c) -> Status {
      auto s = c.Prepare("UPDATE users SET failed_logins=0, locked_until=0 WHERE id=?");
      s.Bind(1, user_id);
      if (int rc = s.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "login success");
      return OkStatus();
    });
  }

  Result<bool> ClaimTotpStep(std::int64_t user_id, std::int64_t step) override {
    bool claimed = false;
    auto st = Write([&](Connection& c) -> Status {
      auto s = c.Prepare("UPDATE users SET totp_last_step=? WHERE id=? AND totp_last_step<?");
      s.Bind(1, step).Bind(2, user_id).Bind(3, step);
      if (int rc = s.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "one-time code step");
      claimed = sqlite3_changes(c.db()) == 1;
      return OkStatus();
    });
    if (!st) return st.error();
    return claimed;
  }

  Status AppendAudit(const AuditRecord& r) override {
    return Write([&](Connection& c) -> Status {
      auto s = c.Prepare("INSERT INTO security_audit(at,actor,action,target,detail,remote) VALUES(?,?,?,?,?,?)");
      s.Bind(1, ToMillis(r.at)).Bind(2, r.actor).Bind(3, r.action).Bind(4, r.target).Bind(5, r.detail);
      s.Bind(6, r.remote);
      if (int rc = s.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "audit");
      return OkStatus();
    });
  }

  Result<std::vector<AuditRecord>> ListAudit(std::optional<std::int64_t> before, int limit) override {
    return Read<std::vector<AuditRecord>>([&](Connection& c) -> Result<std::vector<AuditRecord>> {
      auto s = c.Prepare("SELECT id,at,actor,action,target,detail,remote FROM security_audit WHERE id<? "
                         "ORDER BY id DESC LIMIT ?");
      s.Bind(1, before.value_or(std::numeric_limits<std::int64_t>::max())).Bind(2, limit);
      std::vector<AuditRecord> out;
      while (s.Step() == SQLITE_ROW)
        out.push_back({s.Int(0), FromMillis(s.Int(1)), s.Text(2), s.Text(3), s.Text(4), s.Text(5), s.Text(6)});
      return out;
    });
  }

  Status AddToken(const Token& t) override {
    return Write([&](Connection& c) -> Status {
      auto s = c.Prepare("INSERT INTO tokens(hash,user_id,expires_at) VALUES(?,?,?)");
      s.Bind(1, t.hash).Bind(2, t.user_id).Bind(3, ToMillis(t.expires_at));
      if (int rc = s.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "add token");
      return OkStatus();
    });
  }

  Result<std::optional<Token>> FindToken(const std::string& hash) override {
    return Read<std::optional<Token>>([&](Connection& c) -> Result<std::optional<Token>> {
      auto s = c.Prepare("SELECT user_id,expires_at FROM tokens WHERE hash=?");
      s.Bind(1, hash);
      if (s.Step() != SQLITE_ROW) return std::optional<Token>();
      return std::optional<Token>(Token{hash, s.Int(0), FromMillis(s.Int(1))});
    });
  }

  Status DeleteToken(const std::string& hash) override {
    return Write([&](Connection& c) -> Status {
      auto s = c.Prepare("DELETE FROM tokens WHERE hash=?");
      s.Bind(1, hash);
      if (int rc = s.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "delete token");
      return OkStatus();
    });
  }

 private:
  using Job = std::function<Status(Connection&)>;
  struct Pending {
    Job job;
    std::promise<Status> done;
    std::chrono::steady_clock::time_point queued;
  };

  Status Migrate(int migrate_to) {
    auto s = writer_->Prepare("PRAGMA user_version");
    s.Step();
    const int current = int(s.Int(0));
    const int target = migrate_to < 0 ? int(kMigrations.size()) : migrate_to;
    if (current > int(kMigrations.size()))
      return Internal("the store was written by a newer civicgrid (schema " + std::to_string(current) + ")");
    for (int v = current; v < target; ++v) {
      const std::string sql = "BEGIN IMMEDIATE;" + kMigrations[size_t(v)] + "PRAGMA user_version=" +
                              std::to_string(v + 1) + ";COMMIT;";
      if (auto st = writer_->Exec(sql); !st) {
        (void)writer_->Exec("ROLLBACK");
        return Internal("migration " + std::to_string(v + 1) + " failed: " + st.error().message);
      }
      log::Info("store migrated to schema " + std::to_string(v + 1));
    }
    return OkStatus();
  }

  static Status BumpReferenceVersion(Connection& c) {
    auto s = c.Prepare("INSERT INTO settings(key,value) VALUES('reference_version','1') ON CONFLICT(key) DO UPDATE "
                       "SET value=CAST(value AS INTEGER)+1");
    if (int rc = s.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "reference version");
    return OkStatus();
  }

  Status ApplyCaseWrite(Connection& c, const CaseWrite& w) {
    const Case& a = w.after;
    const std::string doc = EncodeCase(a);
    const std::string status(Name(a.status));
    if (w.expected_version == 0) {
      auto s = c.Prepare(
          "INSERT INTO cases(id,county,number,channel,external_id,category,grid,region_path,org,status,accept_by,"
          "resolve_by,created_at,updated_at,version,doc,taken_by,level,tally,next_alert_at,lat,lon) "
          "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
      s.Bind(1, a.id).Bind(2, CountyOf(a)).Bind(3, a.origin.number).Bind(4, a.origin.channel);
      s.BindTextOrNull(5, a.origin.external_id).Bind(6, a.origin.category).BindTextOrNull(7, a.origin.grid);
      s.Bind(8, a.origin.region_path).BindTextOrNull(9, a.org).Bind(10, status);
      s.BindOpt(11, a.accept_by).BindOpt(12, a.resolve_by).Bind(13, ToMillis(a.created_at));
      s.Bind(14, ToMillis(a.updated_at)).Bind(15, a.version).Bind(16, doc).Bind(17, a.taken_by);
      s.Bind(18, std::string(Name(a.level))).Bind(19, w.tally).BindOpt(20, w.next_alert);
      if (a.origin.location) s.Bind(21, a.origin.location->lat).Bind(22, a.origin.location->lon);
      else s.BindNull(21).BindNull(22);
      if (int rc = s.Step(); rc != SQLITE_DONE) {
        if ((rc & 0xff) == SQLITE_CONSTRAINT)
          return Error{ErrorCode::kConflict, "a case with this channel and external_id exists", kDuplicateExternalId, {}};
        return DbError(c.db(), rc, "insert case");
      }
      auto f = c.Prepare("INSERT INTO cases_fts(rowid,title,description,address,places) VALUES(?,?,?,?,?)");
      f.Bind(1, a.id).Bind(2, a.origin.title).Bind(3, a.origin.description).Bind(4, a.origin.address);
      f.Bind(5, PlaceTokens(a.origin.region_path));
      if (int rc = f.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "index case text");
    } else {
      auto s = c.Prepare(
          "UPDATE cases SET org=?,status=?,accept_by=?,resolve_by=?,updated_at=?,version=?,doc=?,level=?,tally=?,"
          "next_alert_at=?,lat=?,lon=? WHERE id=? AND version=?");
      s.BindTextOrNull(1, a.org).Bind(2, status).BindOpt(3, a.accept_by).BindOpt(4, a.resolve_by);
      s.Bind(5, ToMillis(a.updated_at)).Bind(6, a.version).Bind(7, doc).Bind(8, std::string(Name(a.level)));
      s.Bind(9, w.tally).BindOpt(10, w.next_alert);
      if (a.origin.location) s.Bind(11, a.origin.location->lat).Bind(12, a.origin.location->lon);
      else s.BindNull(11).BindNull(12);
      s.Bind(13, a.id).Bind(14, w.expected_version);
      if (int rc = s.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "update case");
      if (sqlite3_changes(c.db()) != 1)
        return Error{ErrorCode::kConflict, "the case changed meanwhile", kVersionMismatch, {}};
    }
    // The whistle's departments, as the case now has them (a reopen ends a whistle).
    if (w.expected_version != 0) {
      auto d = c.Prepare("DELETE FROM whistle_parts WHERE case_id=?");
      d.Bind(1, a.id);
      if (int rc = d.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "whistle parts");
    }
    if (a.whistle)
      for (const auto& p : a.whistle->parts) {
        auto ins = c.Prepare("INSERT OR IGNORE INTO whistle_parts(case_id,org) VALUES(?,?)");
        ins.Bind(1, a.id).Bind(2, p.org);
        if (int rc = ins.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "whistle parts");
      }
    for (const auto& e : w.events) {
      if (const auto* missed = std::get_if<cases::events::CheckInMissed>(&e.body)) {
        auto m = c.Prepare("INSERT INTO missed_check_ins(org,count) VALUES(?,1) ON CONFLICT(org) DO UPDATE SET "
                           "count=count+1");
        m.Bind(1, missed->org);
        if (int rc = m.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "missed check-ins");
      }
      auto s = c.Prepare("INSERT INTO case_events(case_id,seq,type,actor,at,payload) VALUES(?,?,?,?,?,?)");
      s.Bind(1, e.item).Bind(2, e.seq).Bind(3, std::string(Name(cases::TypeOf(e)))).Bind(4, e.actor);
      s.Bind(5, ToMillis(e.at)).Bind(6, EncodeEventPayload(e));
      if (int rc = s.Step(); rc != SQLITE_DONE) {
        if ((rc & 0xff) == SQLITE_CONSTRAINT)
          return Error{ErrorCode::kConflict, "the case changed meanwhile", kVersionMismatch, {}};
        return DbError(c.db(), rc, "insert event");
      }
    }
    if (!w.idempotency_key.empty()) {
      auto s = c.Prepare("INSERT INTO idempotency(key,case_id,created_at) VALUES(?,?,?)");
      s.Bind(1, w.idempotency_key).Bind(2, a.id).Bind(3, ToMillis(a.updated_at));
      if (int rc = s.Step(); rc != SQLITE_DONE) {
        if ((rc & 0xff) == SQLITE_CONSTRAINT)
          return Error{ErrorCode::kConflict, "this Idempotency-Key was used", kDuplicateIdempotencyKey, {}};
        return DbError(c.db(), rc, "insert idempotency key");
      }
    }
    return OkStatus();
  }

  Status Write(Job job) {
    std::future<Status> done;
    {
      std::lock_guard lock(queue_mu_);
      if (stopping_) return Error{ErrorCode::kUnavailable, "the store is shutting down", {}, {}};
      queue_.push_back(Pending{std::move(job), {}, std::chrono::steady_clock::now()});
      done = queue_.back().done.get_future();
    }
    queue_cv_.notify_one();
    return done.get();
  }

  void WriterLoop() {
    bool merged_all = false;  // the full-text index has nothing left to merge (since the last batch)
    for (;;) {
      std::deque<Pending> batch;
      {
        std::unique_lock lock(queue_mu_);
        if (merged_all || stopping_) queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty() && stopping_) return;
        batch.swap(queue_);
      }
      if (batch.empty()) {
        merged_all = !MergeFullTextStep();
        continue;
      }
      RunBatch(batch);
      merged_all = false;
    }
  }

  // One small step of merging the full-text index's segments, in its own transaction, taken only while no
  // write waits. Migration 7 turned FTS5's automerge off: merged inside the group commits, this work came
  // in bursts that cut the writer's rate from ~3,200 to ~1,100 intakes/s for seconds at a time (measured).
  // A step writes about kMergePages pages (~2 ms here), the most a write arriving meanwhile waits. Under
  // load without pauses, FTS5's crisis merge (16 segments on a level) still bounds the index. Returns
  // whether there may be more to merge.
  bool MergeFullTextStep() {
    constexpr int kMergePages = 64;
    const auto before = sqlite3_total_changes64(writer_->db());
    if (!writer_->Exec("BEGIN IMMEDIATE")) return false;
    if (!writer_->Exec("INSERT INTO cases_fts(cases_fts, rank) VALUES('merge', " + std::to_string(kMergePages) + ")") ||
        !writer_->Exec("COMMIT")) {
      (void)writer_->Exec("ROLLBACK");
      return false;  // e.g. a full disk: tried again after the next batch
    }
    // FTS5: fewer than two changes means the merge found nothing to do.
    return sqlite3_total_changes64(writer_->db()) - before >= 2;
  }

  void RunBatch(std::deque<Pending>& batch) {
    const auto begin = std::chrono::steady_clock::now();
    for (const auto& p : batch) queue_seconds_.Observe(std::chrono::duration<double>(begin - p.queued).count());
    commands_.fetch_add(batch.size(), std::memory_order_relaxed);
    // Observed however the batch ends (committed, refused, rolled back).
    struct AtEnd {
      Histogram& h;
      std::chrono::steady_clock::time_point begin;
      ~AtEnd() { h.Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count()); }
    } at_end{commit_seconds_, begin};
    std::vector<Status> results;
    results.reserve(batch.size());
    Status begun = writer_->Exec("BEGIN IMMEDIATE");
    if (!begun) {
      for (auto& p : batch) p.done.set_value(begun.error());
      return;
    }
    for (auto& p : batch) {
      (void)writer_->Exec("SAVEPOINT cmd");
      Status st = p.job(*writer_);
      if (!st && sqlite3_get_autocommit(writer_->db())) {
        // SQLite rolled the whole transaction back: it may on SQLITE_FULL or an I/O error inside a statement
        // (a cache spill that cannot grow the WAL). The commands before this one are undone too, and those
        // after it would each run and commit on their own, outside the batch (the savepoint then opens a
        // transaction of its own). Fail the whole batch, which is what happened.
        log::Error("batch rolled back: " + st.error().message);
        for (auto& q : batch) q.done.set_value(st.error());
        return;
      }
      if (!st) (void)writer_->Exec("ROLLBACK TO cmd");
      (void)writer_->Exec("RELEASE cmd");
      results.push_back(std::move(st));
    }
    if (Status committed = writer_->Exec("COMMIT"); !committed) {
      (void)writer_->Exec("ROLLBACK");
      Error e = committed.error();
      if (e.code == ErrorCode::kInternal && e.message.find("full") != std::string::npos) e.code = ErrorCode::kUnavailable;
      log::Error("commit failed: " + e.message);
      for (auto& p : batch) p.done.set_value(e);
      // Ids handed out for this batch are simply skipped: gaps are harmless, reuse would not be.
      return;
    }
    for (size_t i = 0; i < batch.size(); ++i) batch[i].done.set_value(std::move(results[i]));
  }

  template <typename T>
  Result<T> Read(const std::function<Result<T>(Connection&)>& fn) {
    std::unique_ptr<Connection> conn;
    {
      std::unique_lock lock(pool_mu_);
      pool_cv_.wait(lock, [&] { return !readers_.empty(); });
      conn = std::move(readers_.back());
      readers_.pop_back();
    }
    Result<T> out = fn(*conn);
    {
      std::lock_guard lock(pool_mu_);
      readers_.push_back(std::move(conn));
    }
    pool_cv_.notify_one();
    return out;
  }

  Result<std::optional<User>> LoadUser(Connection& c, const char* where, const std::string& login, std::int64_t id) {
    auto s = c.Prepare(std::string("SELECT id,login,password_hash,disabled,failed_logins,locked_until,"
                                   "password_changed_at,totp_secret FROM users WHERE ") + where);
    if (login.empty()) s.Bind(1, id); else s.Bind(1, login);
    if (s.Step() != SQLITE_ROW) return std::optional<User>();
    User u{s.Int(0), s.Text(1), s.Text(2), s.Int(3) != 0, {}, int(s.Int(4)), FromMillis(s.Int(5)),
           FromMillis(s.Int(6)), s.Text(7)};
    auto r = c.Prepare("SELECT role,scope FROM user_roles WHERE user_id=? ORDER BY role,scope");
    r.Bind(1, u.id);
    while (r.Step() == SQLITE_ROW) u.roles.emplace_back(r.Text(0), r.Text(1));
    return std::optional<User>(std::move(u));
  }

  SqliteOptions options_;
  std::unique_ptr<Connection> writer_;  // used only by the writer thread after Init
  std::atomic<CaseId> next_id_{1};

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Pending> queue_;  // GUARDED_BY(queue_mu_)
  bool stopping_ = false;      // GUARDED_BY(queue_mu_)
  std::thread writer_thread_;
  // For /metrics.
  Histogram queue_seconds_;   // per write: from its call to the start of its group commit
  Histogram commit_seconds_;  // per group commit: BEGIN … COMMIT (the commands, the fsync, any checkpoint)
  std::atomic<std::uint64_t> commands_{0};

  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<Connection>> readers_;  // GUARDED_BY(pool_mu_)
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteAt(const SqliteOptions& options, int migrate_to) {
  auto store = std::make_unique<SqliteStore>(options);
  if (auto st = store->Init(migrate_to); !st) return st.error();
  return std::unique_ptr<Store>(std::move(store));
}

Result<std::unique_ptr<Store>> OpenSqlite(const SqliteOptions& options) { return OpenSqliteAt(options, -1); }

}  // namespace civicgrid::store
