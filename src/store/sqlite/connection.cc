#include "store/sqlite/connection.h"

#include <cstdlib>

#include "common/log.h"
#include "store/sqlite/cjk_tokenizer.h"

namespace civicgrid::store::sqlite {

bool IsFull(int rc) { return (rc & 0xff) == SQLITE_FULL || (rc & 0xff) == SQLITE_IOERR; }

Error DbError(sqlite3* db, int rc, const std::string& what) {
  Error e{IsFull(rc) ? ErrorCode::kUnavailable : ErrorCode::kInternal,
          what + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)),
          {},
          {}};
  return e;
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, bool write, bool sync_full) {
  sqlite3* raw = nullptr;
  const int flags = (write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY) | SQLITE_OPEN_NOMUTEX;
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

Status Connection::Exec(const std::string& sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    Error e = DbError(db_.get(), rc, "sql failed");
    sqlite3_free(err);
    return e;
  }
  return OkStatus();
}

Stmt Connection::Prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* s = nullptr;
    const int rc = sqlite3_prepare_v3(db_.get(), sql.c_str(), int(sql.size()), SQLITE_PREPARE_PERSISTENT, &s, nullptr);
    if (rc != SQLITE_OK) {
      log::Error(std::string("prepare failed: ") + sqlite3_errmsg(db_.get()) + " in " + sql);
      std::abort();  // a bug in our SQL, not a runtime condition
    }
    it = cache_.emplace(sql, StmtPtr(s)).first;
  }
  return Stmt(db_.get(), it->second.get());
}

}  // namespace civicgrid::store::sqlite
