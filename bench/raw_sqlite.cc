// The raw SQLite limit for intake: how fast plain SQLite does the writes the server's store does for each case
// taken in over HTTP, into a database with exactly the server's schema (every table, index, partial index and
// the full-text index), with the same durability (WAL, synchronous=FULL) and the server's connection pragmas,
// batched N cases a transaction, one thread, prepared statements.
//
// What the server writes per intake (src/domain/cases/case_service.cc CaseService::Intake → ApplyCaseWrite in
// src/store/sqlite/case_store.cc), and so what `run` writes per case:
//   - one `cases` row, all columns;
//   - one `cases_fts` row (title, description, address and the "r<code>" place tokens of its region path);
//   - its intake events: `received`, and `dispatched` too when a routing rule matched (same commit, same time);
//   - an `idempotency` row only if the request carried an Idempotency-Key (bench/loadgen.cc sends none);
//   - nothing in whistle_parts or missed_check_ins (no whistle and no missed check-in at intake).
// Not copied: the server's per-command SAVEPOINT/RELEASE and its reads before the write (the duplicate and
// external-id look-ups): they are the server's own work, not the store's index work.
//
// No civicgrid code, with one exception: the FTS5 tokenizer "civicgrid" (src/store/sqlite/cjk_tokenizer.cc,
// compiled into this tool on its own, see bench/CMakeLists.txt). It is an SQLite extension that defines what the
// full-text index holds (CJK bigrams, whole lower-cased ASCII words): without it SQLite cannot create or write
// cases_fts at all, and with another tokenizer the raw side would build a different index than the server's.
// Linking it keeps the comparison honest; nothing else of the server (codec, services, store) is linked.
// The place tokens are re-implemented below (raw_place_tokens, as PlaceTokens/PathCodes in the server).
//
//   raw_sqlite fill --db RAW.db --source SERVER.db [--fts rebuild|copy]
//       creates RAW.db with the server store's own schema, taken from its sqlite_master (tables and indexes,
//       partial ones included, the FTS5 virtual table by its CREATE VIRTUAL TABLE statement, whose shadow
//       tables SQLite then creates itself; triggers and views; internal sqlite_% objects skipped), with the
//       same page size, encoding and auto_vacuum; then copies every case row (all columns), event and
//       idempotency key of SERVER.db (bulk, synchronous=OFF), so that the raw side starts as large as the
//       server's store. The full-text index is rebuilt from cases.doc as migration 4 builds it (--fts rebuild,
//       the default: the text cannot be read back from a contentless FTS5 table), or its shadow tables are
//       copied verbatim (--fts copy: the same segments as the server's index).
//   raw_sqlite check --db RAW.db --source SERVER.db
//       compares RAW.db's schema (sqlite_master sql, the page size, the FTS5 config rows) with the server's:
//       equal by construction; any difference is named.
//   raw_sqlite run --db RAW.db --source SERVER.db --templates-after ID [--batch 100] [--seconds 10]
//       inserts copies of the server's own cases with ids above ID that are still as its HTTP intake wrote
//       them (no event after the intake's) into RAW.db: the row, the full-text row, the intake events and any
//       idempotency key (same sizes, same index keys; `number`, `external_id` and the key get a suffix to stay
//       unique), `batch` cases per transaction.
//
// Prints one JSON object.
#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common.h"
#include "store/sqlite/cjk_tokenizer.h"  // the only civicgrid code here: the FTS5 tokenizer (see above)

namespace {

[[noreturn]] void Die(sqlite3* db, const std::string& what) {
  std::fprintf(stderr, "raw_sqlite: %s: %s\n", what.c_str(), db ? sqlite3_errmsg(db) : "");
  std::exit(1);
}

void Exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string e = err ? err : "";
    sqlite3_free(err);
    Die(db, sql.substr(0, 120) + ": " + e);
  }
}

std::string Quote(const std::string& s, char q = '\'') {
  std::string out(1, q);
  for (char c : s) out += c == q ? std::string(2, q) : std::string(1, c);
  return out + q;
}

std::string Text(sqlite3_stmt* s, int col) {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, col));
  return p ? std::string(p, size_t(sqlite3_column_bytes(s, col))) : std::string();
}

// "r" + each code of a region path, space-separated: "/c/t/g/" → "rc rt rg". The same as the server's
// PlaceTokens(PathCodes(path)) (src/store/sqlite/case_store.cc, src/reference/types.cc), re-implemented here.
std::string PlaceTokens(const std::string& path) {
  std::string out;
  size_t start = 1;
  while (start < path.size()) {
    const size_t end = path.find('/', start);
    if (end == std::string::npos) break;
    if (end > start) out += (out.empty() ? "r" : " r") + path.substr(start, end - start);
    start = end + 1;
  }
  return out;
}

void PlaceTokensSql(sqlite3_context* ctx, int, sqlite3_value** argv) {
  const auto* p = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  const std::string out = PlaceTokens(p ? std::string(p, size_t(sqlite3_value_bytes(argv[0]))) : "");
  sqlite3_result_text(ctx, out.data(), int(out.size()), SQLITE_TRANSIENT);
}

// Opens a connection as the server's store does (src/store/sqlite/connection.cc Connection::Open): the
// tokenizer registered, and for writing WAL, foreign_keys=ON and the given synchronous level. The server sets no
// other pragma (page size, cache size, mmap and wal_autocheckpoint are SQLite's defaults on both sides).
sqlite3* Open(const std::string& path, bool write) {
  sqlite3* db = nullptr;
  const int flags = (write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY) | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) Die(db, "open " + path);
  sqlite3_busy_timeout(db, 10000);
  sqlite3_extended_result_codes(db, 1);
  if (civicgrid::store::RegisterCjkTokenizer(db) != SQLITE_OK) Die(db, "register the civicgrid tokenizer");
  if (sqlite3_create_function(db, "raw_place_tokens", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, PlaceTokensSql,
                              nullptr, nullptr) != SQLITE_OK)
    Die(db, "register raw_place_tokens");
  return db;
}

sqlite3_stmt* Prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK)
    Die(db, "prepare " + sql);
  return s;
}

std::int64_t Scalar(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* s = Prepare(db, sql);
  std::int64_t v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
  sqlite3_finalize(s);
  return v;
}

std::string ScalarText(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* s = Prepare(db, sql);
  std::string v = sqlite3_step(s) == SQLITE_ROW ? Text(s, 0) : "";
  sqlite3_finalize(s);
  return v;
}

// The column names of a table, in order (schema: "main" or an attached name).
std::vector<std::string> Columns(sqlite3* db, const std::string& schema, const std::string& table) {
  std::vector<std::string> out;
  sqlite3_stmt* s = Prepare(db, "SELECT name FROM pragma_table_info(?, ?) ORDER BY cid");
  sqlite3_bind_text(s, 1, table.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 2, schema.c_str(), -1, SQLITE_TRANSIENT);
  while (sqlite3_step(s) == SQLITE_ROW) out.push_back(Text(s, 0));
  sqlite3_finalize(s);
  if (out.empty()) Die(db, "no table " + schema + "." + table);
  return out;
}

std::string Join(const std::vector<std::string>& v, const std::string& prefix = "") {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + prefix + Quote(v[i], '"');
  return out;
}

std::string Placeholders(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += i ? ",?" : "?";
  return out;
}

int IndexOf(const std::vector<std::string>& v, const std::string& name) {
  for (size_t i = 0; i < v.size(); ++i)
    if (v[i] == name) return int(i);
  return -1;
}

struct SchemaObject {
  std::string type, name, sql;  // sql empty for the automatic indexes
  bool shadow = false;          // a virtual table's shadow table (created by its CREATE VIRTUAL TABLE)
  bool fts5 = false;            // a virtual table using fts5
};

// The schema objects of `schema`, in creation order (sqlite_master rowid), internal sqlite_% objects left out.
std::vector<SchemaObject> SchemaObjects(sqlite3* db, const std::string& schema) {
  std::map<std::string, std::string> kind;  // table name → table / shadow / virtual / view
  {
    sqlite3_stmt* s = Prepare(db, "SELECT name, type FROM pragma_table_list WHERE schema=?");
    sqlite3_bind_text(s, 1, schema.c_str(), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(s) == SQLITE_ROW) kind[Text(s, 0)] = Text(s, 1);
    sqlite3_finalize(s);
  }
  std::vector<SchemaObject> out;
  sqlite3_stmt* s = Prepare(db, "SELECT type, name, tbl_name, COALESCE(sql,'') FROM " + Quote(schema, '"') +
                                    ".sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid");
  while (sqlite3_step(s) == SQLITE_ROW) {
    SchemaObject o{Text(s, 0), Text(s, 1), Text(s, 3)};
    const std::string table = Text(s, 2);
    o.shadow = kind.count(table) && kind[table] == "shadow";
    if (o.type == "table" && kind[o.name] == "virtual") {
      std::string lower;
      for (char c : o.sql) lower += char(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      o.fts5 = lower.find("using fts5") != std::string::npos;
    }
    out.push_back(std::move(o));
  }
  sqlite3_finalize(s);
  return out;
}

std::string JsonList(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    out += i ? ", \"" : "\"";
    for (char c : v[i]) {
      if (c == '"' || c == '\\') out += '\\';
      if (static_cast<unsigned char>(c) >= 0x20) out += c;
    }
    out += "\"";
  }
  return out + "]";
}

// What `check` compares: "type name" → sql of every schema object (shadow tables included: both sides have
// them), the storage pragmas, and the FTS5 tables' config rows (automerge, pgsz … when set).
std::map<std::string, std::string> Schema(sqlite3* db) {
  std::map<std::string, std::string> out;
  for (const auto& o : SchemaObjects(db, "main")) {
    out[o.type + " " + o.name] = o.sql.empty() ? "(automatic)" : o.sql;
    if (o.fts5) {
      sqlite3_stmt* s = Prepare(db, "SELECT k, v FROM " + Quote(o.name + "_config", '"'));
      while (sqlite3_step(s) == SQLITE_ROW) out["fts5_config " + o.name + "." + Text(s, 0)] = Text(s, 1);
      sqlite3_finalize(s);
    }
  }
  for (const char* p : {"page_size", "encoding", "auto_vacuum"})
    out[std::string("pragma ") + p] = ScalarText(db, std::string("PRAGMA ") + p);
  return out;
}

int Check(const bench::Args& args) {
  if (args.Str("db").empty() || args.Str("source").empty()) {
    std::fprintf(stderr, "usage: raw_sqlite check --db RAW.db --source SERVER.db\n");
    return 2;
  }
  sqlite3* raw = Open(args.Str("db"), false);
  sqlite3* server = Open(args.Str("source"), false);
  const auto a = Schema(raw), b = Schema(server);
  std::vector<std::string> only_server, only_raw, differ;
  for (const auto& [k, v] : b) {
    auto it = a.find(k);
    if (it == a.end()) only_server.push_back(k);
    else if (it->second != v) differ.push_back(k);
  }
  for (const auto& [k, v] : a)
    if (!b.count(k)) only_raw.push_back(k);
  bench::Json out;
  out.Raw("same", only_server.empty() && only_raw.empty() && differ.empty() ? "true" : "false")
      .Int("objects", long(b.size()))
      .Raw("only_in_server", JsonList(only_server))
      .Raw("only_in_raw", JsonList(only_raw))
      .Raw("differ", JsonList(differ));
  std::printf("%s\n", out.Dump().c_str());
  sqlite3_close(raw);
  sqlite3_close(server);
  return 0;
}

int Fill(const bench::Args& args) {
  const std::string path = args.Str("db"), source = args.Str("source"), fts = args.Str("fts", "rebuild");
  if (path.empty() || source.empty() || (fts != "rebuild" && fts != "copy")) {
    std::fprintf(stderr, "usage: raw_sqlite fill --db RAW.db --source SERVER.db [--fts rebuild|copy]\n");
    return 2;
  }
  std::remove(path.c_str());
  std::remove((path + "-wal").c_str());
  std::remove((path + "-shm").c_str());
  const double t0 = bench::Now();
  std::string page_size, encoding, auto_vacuum, user_version;
  {
    sqlite3* src = Open(source, false);
    page_size = ScalarText(src, "PRAGMA page_size");
    encoding = ScalarText(src, "PRAGMA encoding");
    auto_vacuum = ScalarText(src, "PRAGMA auto_vacuum");
    user_version = ScalarText(src, "PRAGMA user_version");
    sqlite3_close(src);
  }
  sqlite3* db = Open(path, true);
  // Storage properties first: they are fixed when the first table is written.
  Exec(db, "PRAGMA page_size=" + page_size);
  Exec(db, "PRAGMA encoding=" + Quote(encoding));
  Exec(db, "PRAGMA auto_vacuum=" + auto_vacuum);
  Exec(db, "PRAGMA journal_mode=WAL");
  Exec(db, "PRAGMA synchronous=OFF");
  Exec(db, "PRAGMA cache_size=-524288");  // 512 MiB while bulk-copying; `run` uses the server's default
  Exec(db, "ATTACH DATABASE " + Quote("file:" + source + "?mode=ro") + " AS src");

  // The schema: the server's own statements. Tables (the FTS5 table by its CREATE VIRTUAL TABLE, which makes its
  // shadow tables) first, then indexes, views and triggers, each in the server's creation order.
  const auto objects = SchemaObjects(db, "src");
  std::vector<std::string> fts5_tables;
  int created = 0;
  Exec(db, "BEGIN");
  for (const char* type : {"table", "index", "view", "trigger"})
    for (const auto& o : objects) {
      if (o.type != type || o.shadow || o.sql.empty()) continue;
      Exec(db, o.sql);
      ++created;
      if (o.fts5) fts5_tables.push_back(o.name);
    }
  Exec(db, "PRAGMA main.user_version=" + user_version);
  // The full-text tables' settings (the server's migration 7 turns automerge off), through FTS5's own
  // config command, as the migration sets them.
  for (const auto& name : fts5_tables)
    Exec(db, "INSERT INTO main." + Quote(name, '"') + "(" + Quote(name, '"') + ", rank) SELECT k, v FROM src." +
                 Quote(name + "_config", '"') + " WHERE k <> 'version'");
  Exec(db, "COMMIT");

  // The data the intake's writes land in: cases (all columns), events, idempotency keys, the full-text index.
  Exec(db, "BEGIN");
  for (const char* table : {"cases", "case_events", "idempotency"}) {
    const std::string cols = Join(Columns(db, "src", table));
    Exec(db, std::string("INSERT INTO main.") + table + "(" + cols + ") SELECT " + cols + " FROM src." + table +
                 " ORDER BY 1");
  }
  if (fts == "copy") {
    // The shadow tables verbatim: the same segments, structure record and averages as the server's index.
    for (const auto& name : fts5_tables)
      for (const auto& o : objects)
        if (o.type == "table" && o.shadow && o.name.rfind(name + "_", 0) == 0) {
          const std::string cols = Join(Columns(db, "src", o.name));
          Exec(db, "INSERT OR REPLACE INTO main." + Quote(o.name, '"') + "(" + cols + ") SELECT " + cols +
                       " FROM src." + Quote(o.name, '"'));
        }
  } else {
    // Rebuilt as migration 4 builds it (the text of a contentless table cannot be read back), which is what the
    // server's intake inserts: the case's title, description and address, and its place tokens.
    Exec(db,
         "INSERT INTO main.cases_fts(rowid,title,description,address,places) SELECT id, "
         "json_extract(doc,'$.origin.title'), json_extract(doc,'$.origin.description'), "
         "json_extract(doc,'$.origin.address'), raw_place_tokens(region_path) FROM src.cases ORDER BY id");
  }
  Exec(db, "COMMIT");
  Exec(db, "DETACH DATABASE src");
  Exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
  bench::Json out;
  out.Int("cases", Scalar(db, "SELECT count(*) FROM cases"))
      .Int("events", Scalar(db, "SELECT count(*) FROM case_events"))
      .Int("idempotency", Scalar(db, "SELECT count(*) FROM idempotency"))
      .Int("fts_docs", Scalar(db, "SELECT count(*) FROM cases_fts_docsize"))
      .Int("schema_objects", created)
      .Str("fts", fts)
      .Num("seconds", bench::Now() - t0);
  sqlite3_close(db);
  std::printf("%s\n", out.Dump().c_str());
  return 0;
}

using Row = std::vector<sqlite3_value*>;  // owned copies (sqlite3_value_dup)

Row Copy(sqlite3_stmt* s, int from, int n) {
  Row r;
  for (int i = 0; i < n; ++i) r.push_back(sqlite3_value_dup(sqlite3_column_value(s, from + i)));
  return r;
}

void Free(Row& r) {
  for (auto* v : r) sqlite3_value_free(v);
  r.clear();
}

// A case as the server's intake wrote it: its row, full-text columns, intake events and idempotency row.
struct Template {
  Row row;
  std::string fts[4];  // title, description, address, places
  std::vector<Row> events;
  std::optional<Row> idempotency;
};

// Binds a row, giving column `unique` (if ≥ 0) the suffix and column `id_col` the new case id.
void BindRow(sqlite3_stmt* s, const Row& r, int id_col, std::int64_t id, const std::vector<int>& unique,
             const std::string& suffix) {
  for (int c = 0; c < int(r.size()); ++c) {
    sqlite3_value* v = r[size_t(c)];
    bool is_unique = false;
    for (int u : unique) is_unique |= u == c;
    if (c == id_col) {
      sqlite3_bind_int64(s, c + 1, id);
    } else if (is_unique && sqlite3_value_type(v) != SQLITE_NULL) {
      const auto* p = reinterpret_cast<const char*>(sqlite3_value_text(v));
      const std::string t = std::string(p, size_t(sqlite3_value_bytes(v))) + suffix;
      sqlite3_bind_text(s, c + 1, t.data(), int(t.size()), SQLITE_TRANSIENT);
    } else {
      sqlite3_bind_value(s, c + 1, v);
    }
  }
}

void Step(sqlite3* db, sqlite3_stmt* s, const char* what) {
  if (sqlite3_step(s) != SQLITE_DONE) Die(db, what);
  sqlite3_reset(s);
}

int Run(const bench::Args& args) {
  const int batch = int(args.Int("batch", 100));
  const double seconds = args.Num("seconds", 10);
  const long long max_rows = args.Int("max-rows", 2000000);
  const std::int64_t after = args.Int("templates-after", 0);

  std::vector<std::string> case_cols, event_cols, idem_cols;
  std::vector<Template> templates;
  long long skipped = 0;
  {
    sqlite3* src = Open(args.Str("source"), false);
    case_cols = Columns(src, "main", "cases");
    event_cols = Columns(src, "main", "case_events");
    idem_cols = Columns(src, "main", "idempotency");
    const int n = int(case_cols.size());
    // The newest cases above `after` still as the intake wrote them: every event at the intake's moment (the
    // intake's `received` and, when a routing rule matched, `dispatched`, in one commit at one time).
    sqlite3_stmt* s = Prepare(
        src, "SELECT " + Join(case_cols, "c.") +
                 ", json_extract(c.doc,'$.origin.title'), json_extract(c.doc,'$.origin.description'), "
                 "json_extract(c.doc,'$.origin.address'), raw_place_tokens(c.region_path), "
                 "(SELECT count(*) FROM case_events e WHERE e.case_id=c.id AND e.at<>(SELECT at FROM case_events f "
                 "WHERE f.case_id=c.id AND f.seq=1)) "
                 "FROM cases c WHERE c.id > ? AND EXISTS(SELECT 1 FROM case_events f WHERE f.case_id=c.id AND "
                 "f.seq=1) ORDER BY c.id DESC LIMIT 2000");
    sqlite3_stmt* ev = Prepare(src, "SELECT " + Join(event_cols) + " FROM case_events WHERE case_id=? ORDER BY seq");
    sqlite3_stmt* idem = Prepare(src, "SELECT " + Join(idem_cols) + " FROM idempotency WHERE case_id=?");
    sqlite3_bind_int64(s, 1, after);
    while (sqlite3_step(s) == SQLITE_ROW) {
      if (sqlite3_column_int64(s, n + 4) != 0) {  // acted on after intake: its row is no longer intake's
        ++skipped;
        continue;
      }
      Template t;
      t.row = Copy(s, 0, n);
      for (int i = 0; i < 4; ++i) t.fts[i] = Text(s, n + i);
      const std::int64_t case_id = sqlite3_column_int64(s, IndexOf(case_cols, "id"));
      sqlite3_bind_int64(ev, 1, case_id);
      while (sqlite3_step(ev) == SQLITE_ROW) t.events.push_back(Copy(ev, 0, int(event_cols.size())));
      sqlite3_reset(ev);
      sqlite3_bind_int64(idem, 1, case_id);
      if (sqlite3_step(idem) == SQLITE_ROW) t.idempotency = Copy(idem, 0, int(idem_cols.size()));
      sqlite3_reset(idem);
      templates.push_back(std::move(t));
    }
    sqlite3_finalize(s);
    sqlite3_finalize(ev);
    sqlite3_finalize(idem);
    sqlite3_close(src);
  }
  if (templates.empty()) {
    std::fprintf(stderr, "raw_sqlite: no case above id %lld in the source is as its intake wrote it (%lld acted on)\n",
                 (long long)after, skipped);
    return 1;
  }
  double doc_bytes = 0, payload_bytes = 0, events = 0, keys = 0, fts_bytes = 0;
  const int doc_col = IndexOf(case_cols, "doc"), payload_col = IndexOf(event_cols, "payload");
  for (const auto& t : templates) {
    doc_bytes += double(sqlite3_value_bytes(t.row[size_t(doc_col)]));
    for (const auto& e : t.events) payload_bytes += double(sqlite3_value_bytes(e[size_t(payload_col)]));
    events += double(t.events.size());
    keys += t.idempotency ? 1 : 0;
    for (const auto& f : t.fts) fts_bytes += double(f.size());
  }

  sqlite3* db = Open(args.Str("db"), true);
  // The server's writer connection: WAL, foreign_keys=ON, journal_size_limit, synchronous=FULL (fsync on every
  // commit), no other pragma.
  Exec(db, "PRAGMA journal_mode=WAL");
  Exec(db, "PRAGMA foreign_keys=ON");
  Exec(db, "PRAGMA journal_size_limit=67108864");  // as the server's writer
  Exec(db, "PRAGMA synchronous=FULL");
  // The statements of ApplyCaseWrite (src/store/sqlite/case_store.cc) for a new case, in its order.
  sqlite3_stmt* ins_case =
      Prepare(db, "INSERT INTO cases(" + Join(case_cols) + ") VALUES(" + Placeholders(case_cols.size()) + ")");
  sqlite3_stmt* ins_fts =
      Prepare(db, "INSERT INTO cases_fts(rowid,title,description,address,places) VALUES(?,?,?,?,?)");
  sqlite3_stmt* ins_event =
      Prepare(db, "INSERT INTO case_events(" + Join(event_cols) + ") VALUES(" + Placeholders(event_cols.size()) + ")");
  sqlite3_stmt* ins_idem =
      Prepare(db, "INSERT INTO idempotency(" + Join(idem_cols) + ") VALUES(" + Placeholders(idem_cols.size()) + ")");
  const int case_id_col = IndexOf(case_cols, "id"), event_case_col = IndexOf(event_cols, "case_id");
  const int idem_case_col = IndexOf(idem_cols, "case_id");
  const std::vector<int> case_unique = {IndexOf(case_cols, "number"), IndexOf(case_cols, "external_id")};
  const std::vector<int> idem_unique = {IndexOf(idem_cols, "key")};
  std::int64_t id = Scalar(db, "SELECT COALESCE(MAX(id),0) FROM cases") + 1;
  const std::int64_t before = Scalar(db, "SELECT count(*) FROM cases");

  long long rows = 0, event_rows = 0, key_rows = 0;
  std::vector<double> txn_ms;
  const double t0 = bench::Now();
  double now = t0;
  while (now - t0 < seconds && rows < max_rows) {
    const double b0 = bench::Now();
    Exec(db, "BEGIN IMMEDIATE");
    for (int k = 0; k < batch; ++k, ++id, ++rows) {
      const Template& t = templates[size_t(id) % templates.size()];
      const std::string suffix = "~" + std::to_string(id);
      BindRow(ins_case, t.row, case_id_col, id, case_unique, suffix);
      Step(db, ins_case, "insert case");
      sqlite3_bind_int64(ins_fts, 1, id);
      for (int i = 0; i < 4; ++i)
        sqlite3_bind_text(ins_fts, i + 2, t.fts[i].data(), int(t.fts[i].size()), SQLITE_STATIC);
      Step(db, ins_fts, "index case text");
      for (const auto& e : t.events) {
        BindRow(ins_event, e, event_case_col, id, {}, "");
        Step(db, ins_event, "insert event");
        ++event_rows;
      }
      if (t.idempotency) {
        BindRow(ins_idem, *t.idempotency, idem_case_col, id, idem_unique, suffix);
        Step(db, ins_idem, "insert idempotency key");
        ++key_rows;
      }
    }
    Exec(db, "COMMIT");
    now = bench::Now();
    txn_ms.push_back((now - b0) * 1e3);
  }
  const double elapsed = now - t0;
  for (auto* s : {ins_case, ins_fts, ins_event, ins_idem}) sqlite3_finalize(s);
  sqlite3_close(db);
  for (auto& t : templates) {
    Free(t.row);
    for (auto& e : t.events) Free(e);
    if (t.idempotency) Free(*t.idempotency);
  }
  const double nt = double(templates.size());
  bench::Json out;
  out.Int("batch", batch)
      .Int("rows", rows)
      .Num("seconds", elapsed)
      .Num("rate", double(rows) / elapsed)
      .Num("txn_p50_ms", bench::Percentile(txn_ms, 0.5))
      .Num("txn_p99_ms", bench::Percentile(txn_ms, 0.99))
      .Int("cases_before", before)
      .Int("events", event_rows)
      .Int("fts_rows", rows)
      .Int("idempotency_rows", key_rows)
      .Int("templates", long(templates.size()))
      .Int("templates_skipped_acted_on", skipped)
      .Num("events_per_case_mean", events / nt)
      .Num("idempotency_per_case_mean", keys / nt)
      .Num("doc_bytes_mean", doc_bytes / nt)
      .Num("payload_bytes_mean", payload_bytes / nt)
      .Num("fts_text_bytes_mean", fts_bytes / nt);
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
