// The raw SQLite limit for intake: how fast plain SQLite inserts the same case rows and events, with the
// same indexes and the same durability (WAL, synchronous=FULL), batched N rows a transaction. No civicgrid
// code: the schema below is copied from migration 1 in src/store/sqlite/sqlite_store.cc, and `check`
// reports where the server's live schema has moved away from it.
//
//   raw_sqlite check --source SERVER.db
//       compares the server store's case tables with the copied schema.
//   raw_sqlite fill --db RAW.db --source SERVER.db
//       creates RAW.db with the copied schema and copies every case row and event of SERVER.db into it
//       (bulk, synchronous=OFF), so that the raw side starts as large as the server's store.
//   raw_sqlite run --db RAW.db --source SERVER.db --templates-after ID [--batch 100] [--seconds 10]
//       inserts copies of the server's own rows with ids above ID (the ones its HTTP intake wrote: same
//       sizes, same index keys) into RAW.db, `batch` cases (a row and its event each) per transaction.
//
// Prints one JSON object.
#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common.h"

namespace {

// Copied from kMigrations[0] (migration 1) in src/store/sqlite/sqlite_store.cc; keep in step by hand:
// `raw_sqlite check` (run by make bench) says when the server's case tables differ from it.
const char* kMigration1 = R"(
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
)";

const char* kCaseColumns =
    "id,county,number,channel,external_id,category,grid,region_path,org,status,accept_by,resolve_by,created_at,"
    "updated_at,version,doc";
const char* kEventColumns = "case_id,seq,type,actor,at,payload";

[[noreturn]] void Die(sqlite3* db, const std::string& what) {
  std::fprintf(stderr, "raw_sqlite: %s: %s\n", what.c_str(), db ? sqlite3_errmsg(db) : "");
  std::exit(1);
}

void Exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string e = err ? err : "";
    sqlite3_free(err);
    Die(db, sql.substr(0, 80) + ": " + e);
  }
}

sqlite3* Open(const std::string& path, int flags) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) Die(db, "open " + path);
  sqlite3_busy_timeout(db, 10000);
  return db;
}

sqlite3_stmt* Prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) Die(db, "prepare " + sql);
  return s;
}

std::int64_t Scalar(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* s = Prepare(db, sql);
  std::int64_t v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
  sqlite3_finalize(s);
  return v;
}

std::string Normalize(const std::string& sql) {
  std::string out;
  bool space = false, comment = false;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (comment) {
      if (c == '\n') comment = false;
      continue;
    }
    if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      comment = true;
      continue;
    }
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = true;
      continue;
    }
    if (space && !out.empty() && out.back() != '(' && c != ')' && c != ',') out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// name → normalised SQL of the tables and indexes on the case tables.
std::map<std::string, std::string> CaseSchema(sqlite3* db) {
  std::map<std::string, std::string> out;
  sqlite3_stmt* s = Prepare(db,
                            "SELECT type, name, COALESCE(sql,'') FROM sqlite_master WHERE tbl_name IN "
                            "('cases','case_events','idempotency')");
  while (sqlite3_step(s) == SQLITE_ROW) {
    const std::string type = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    const std::string name = reinterpret_cast<const char*>(sqlite3_column_text(s, 1));
    out[type + " " + name] = Normalize(reinterpret_cast<const char*>(sqlite3_column_text(s, 2)));
  }
  sqlite3_finalize(s);
  // Columns added later (ALTER TABLE … ADD COLUMN) show in table_info, not always in a comparable way in sql.
  for (const char* table : {"cases", "case_events", "idempotency"}) {
    sqlite3_stmt* t = Prepare(db, std::string("PRAGMA table_info(") + table + ")");
    while (sqlite3_step(t) == SQLITE_ROW)
      out[std::string("column ") + table + "." + reinterpret_cast<const char*>(sqlite3_column_text(t, 1))] =
          reinterpret_cast<const char*>(sqlite3_column_text(t, 2));
    sqlite3_finalize(t);
  }
  return out;
}

std::string JsonList(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", \"" : "\"") + v[i] + "\"";
  return out + "]";
}

int Check(const bench::Args& args) {
  sqlite3* ref = Open(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  Exec(ref, kMigration1);
  sqlite3* server = Open(args.Str("source"), SQLITE_OPEN_READONLY);
  const auto a = CaseSchema(ref), b = CaseSchema(server);
  std::vector<std::string> only_server, only_reference, differ;
  for (const auto& [k, v] : b) {
    auto it = a.find(k);
    if (it == a.end()) only_server.push_back(k);
    else if (it->second != v) differ.push_back(k);
  }
  for (const auto& [k, v] : a)
    if (!b.count(k)) only_reference.push_back(k);
  bench::Json out;
  out.Raw("same", only_server.empty() && only_reference.empty() && differ.empty() ? "true" : "false")
      .Raw("only_in_server", JsonList(only_server))
      .Raw("only_in_copied_schema", JsonList(only_reference))
      .Raw("differ", JsonList(differ));
  std::printf("%s\n", out.Dump().c_str());
  sqlite3_close(ref);
  sqlite3_close(server);
  return 0;
}

int Fill(const bench::Args& args) {
  const std::string path = args.Str("db");
  std::remove(path.c_str());
  std::remove((path + "-wal").c_str());
  std::remove((path + "-shm").c_str());
  sqlite3* db = Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  const double t0 = bench::Now();
  Exec(db, "PRAGMA journal_mode=WAL");
  Exec(db, "PRAGMA synchronous=OFF");
  Exec(db, "PRAGMA cache_size=-524288");  // 512 MiB while bulk-copying
  Exec(db, "BEGIN");
  Exec(db, kMigration1);
  Exec(db, "COMMIT");
  Exec(db, "ATTACH DATABASE 'file:" + args.Str("source") + "?mode=ro' AS src");
  Exec(db, "BEGIN");
  Exec(db, std::string("INSERT INTO main.cases(") + kCaseColumns + ") SELECT " + kCaseColumns +
               " FROM src.cases ORDER BY id");
  Exec(db, std::string("INSERT INTO main.case_events(") + kEventColumns + ") SELECT " + kEventColumns +
               " FROM src.case_events ORDER BY case_id, seq");
  Exec(db, "COMMIT");
  Exec(db, "DETACH DATABASE src");
  Exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
  bench::Json out;
  out.Int("cases", Scalar(db, "SELECT count(*) FROM cases"))
      .Int("events", Scalar(db, "SELECT count(*) FROM case_events"))
      .Num("seconds", bench::Now() - t0);
  sqlite3_close(db);
  std::printf("%s\n", out.Dump().c_str());
  return 0;
}

struct Template {
  std::vector<std::string> text;  // case columns 1..15 as text or NULL marker
  std::vector<int> type;
  std::string event_type, actor, payload;
  std::int64_t at = 0;
};

int Run(const bench::Args& args) {
  const int batch = int(args.Int("batch", 100));
  const double seconds = args.Num("seconds", 10);
  const long long max_rows = args.Int("max-rows", 2000000);
  const std::int64_t after = args.Int("templates-after", 0);

  // Templates: the server's own rows (the newest ones above `after`) and their first event.
  std::vector<Template> templates;
  {
    sqlite3* src = Open(args.Str("source"), SQLITE_OPEN_READONLY);
    sqlite3_stmt* s = Prepare(src, std::string("SELECT ") + kCaseColumns +
                                       ", (SELECT type FROM case_events e WHERE e.case_id=c.id AND seq=1), "
                                       "(SELECT actor FROM case_events e WHERE e.case_id=c.id AND seq=1), "
                                       "(SELECT at FROM case_events e WHERE e.case_id=c.id AND seq=1), "
                                       "(SELECT payload FROM case_events e WHERE e.case_id=c.id AND seq=1) "
                                       "FROM cases c WHERE id > ? ORDER BY id DESC LIMIT 2000");
    sqlite3_bind_int64(s, 1, after);
    while (sqlite3_step(s) == SQLITE_ROW) {
      Template t;
      for (int col = 0; col < 16; ++col) {
        t.type.push_back(sqlite3_column_type(s, col));
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, col));
        t.text.push_back(p ? std::string(p, size_t(sqlite3_column_bytes(s, col))) : "");
      }
      if (sqlite3_column_type(s, 16) == SQLITE_NULL) continue;
      t.event_type = reinterpret_cast<const char*>(sqlite3_column_text(s, 16));
      t.actor = reinterpret_cast<const char*>(sqlite3_column_text(s, 17));
      t.at = sqlite3_column_int64(s, 18);
      t.payload = reinterpret_cast<const char*>(sqlite3_column_text(s, 19));
      templates.push_back(std::move(t));
    }
    sqlite3_finalize(s);
    sqlite3_close(src);
  }
  if (templates.empty()) {
    std::fprintf(stderr, "raw_sqlite: no template rows above id %lld in the source\n", (long long)after);
    return 1;
  }
  double doc_bytes = 0, payload_bytes = 0;
  for (const auto& t : templates) {
    doc_bytes += double(t.text[15].size());
    payload_bytes += double(t.payload.size());
  }

  sqlite3* db = Open(args.Str("db"), SQLITE_OPEN_READWRITE);
  Exec(db, "PRAGMA journal_mode=WAL");
  Exec(db, "PRAGMA synchronous=FULL");  // as the server: fsync on every commit
  sqlite3_stmt* ins_case = Prepare(db, std::string("INSERT INTO cases(") + kCaseColumns +
                                           ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  sqlite3_stmt* ins_event = Prepare(db, std::string("INSERT INTO case_events(") + kEventColumns +
                                            ") VALUES(?,?,?,?,?,?)");
  std::int64_t id = Scalar(db, "SELECT COALESCE(MAX(id),0) FROM cases") + 1;
  const std::int64_t before = Scalar(db, "SELECT count(*) FROM cases");

  long long rows = 0;
  std::vector<double> txn_ms;
  const double t0 = bench::Now();
  double now = t0;
  while (now - t0 < seconds && rows < max_rows) {
    const double b0 = bench::Now();
    Exec(db, "BEGIN IMMEDIATE");
    for (int k = 0; k < batch; ++k, ++id, ++rows) {
      const Template& t = templates[size_t(id) % templates.size()];
      const std::string suffix = "~" + std::to_string(id);
      sqlite3_bind_int64(ins_case, 1, id);
      for (int col = 1; col < 16; ++col) {
        if (t.type[size_t(col)] == SQLITE_NULL) {
          sqlite3_bind_null(ins_case, col + 1);
        } else if (t.type[size_t(col)] == SQLITE_INTEGER) {
          sqlite3_bind_int64(ins_case, col + 1, std::atoll(t.text[size_t(col)].c_str()));
        } else if (col == 2 || col == 4) {  // number and external_id are unique: keep their shape, add the id
          const std::string v = t.text[size_t(col)] + suffix;
          sqlite3_bind_text(ins_case, col + 1, v.data(), int(v.size()), SQLITE_TRANSIENT);
        } else {
          sqlite3_bind_text(ins_case, col + 1, t.text[size_t(col)].data(), int(t.text[size_t(col)].size()),
                            SQLITE_STATIC);
        }
      }
      if (sqlite3_step(ins_case) != SQLITE_DONE) Die(db, "insert case");
      sqlite3_reset(ins_case);
      sqlite3_bind_int64(ins_event, 1, id);
      sqlite3_bind_int64(ins_event, 2, 1);
      sqlite3_bind_text(ins_event, 3, t.event_type.data(), int(t.event_type.size()), SQLITE_STATIC);
      sqlite3_bind_text(ins_event, 4, t.actor.data(), int(t.actor.size()), SQLITE_STATIC);
      sqlite3_bind_int64(ins_event, 5, t.at);
      sqlite3_bind_text(ins_event, 6, t.payload.data(), int(t.payload.size()), SQLITE_STATIC);
      if (sqlite3_step(ins_event) != SQLITE_DONE) Die(db, "insert event");
      sqlite3_reset(ins_event);
    }
    Exec(db, "COMMIT");
    now = bench::Now();
    txn_ms.push_back((now - b0) * 1e3);
  }
  const double elapsed = now - t0;
  sqlite3_finalize(ins_case);
  sqlite3_finalize(ins_event);
  sqlite3_close(db);
  bench::Json out;
  out.Int("batch", batch)
      .Int("rows", rows)
      .Num("seconds", elapsed)
      .Num("rate", double(rows) / elapsed)
      .Num("txn_p50_ms", bench::Percentile(txn_ms, 0.5))
      .Num("txn_p99_ms", bench::Percentile(txn_ms, 0.99))
      .Int("cases_before", before)
      .Int("templates", long(templates.size()))
      .Num("doc_bytes_mean", doc_bytes / double(templates.size()))
      .Num("payload_bytes_mean", payload_bytes / double(templates.size()));
  std::printf("%s\n", out.Dump().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  bench::Args args(argc, argv);
  const std::string cmd = args.positional().empty() ? "" : args.positional()[0];
  if (cmd == "check") return Check(args);
  if (cmd == "fill") return Fill(args);
  if (cmd == "run") return Run(args);
  std::fprintf(stderr, "usage: raw_sqlite check|fill|run …\n");
  return 2;
}
