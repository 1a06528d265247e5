// One SQLite connection and its prepared statements, as RAII handles: the only header that includes
// sqlite3.h (the rest of src/store/sqlite reaches SQLite through this one; nothing outside src/store/sqlite
// sees it). A Connection is used by one thread at a time: the writer's by the writer thread
// (database.h), each reader's by whoever holds it from the pool.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/ids.h"
#include "common/result.h"
#include "common/time.h"

namespace civicgrid::store::sqlite {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// A full disk or an I/O error: the store cannot take writes now (kUnavailable), not a bug.
bool IsFull(int rc);
// An error for a failed call: kUnavailable when IsFull(rc), else kInternal; the message says `what` and
// SQLite's own words (from `db` when there is one).
Error DbError(sqlite3* db, int rc, const std::string& what);

// A cached prepared statement with positional binding helpers, borrowed from its Connection: reset and its
// bindings cleared when this goes out of scope, ready for the next use.
class Stmt {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* s) : db_(db), s_(s) {}
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  Stmt& Bind(int i, std::int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  template <class Tag>
  Stmt& Bind(int i, common::StrongId<Tag> id) {
    return Bind(i, id.value());
  }
  Stmt& Bind(int i, int v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Stmt& Bind(int i, double v) {
    sqlite3_bind_double(s_, i, v);
    return *this;
  }
  Stmt& Bind(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.data(), int(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& BindNull(int i) {
    sqlite3_bind_null(s_, i);
    return *this;
  }
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
  // `write`: the one read-write connection (WAL, foreign keys, the writer's page cache; `sync_full`:
  // fsync at every commit). Otherwise a read-only connection. Every connection gets the full-text tokenizer.
  static Result<std::unique_ptr<Connection>> Open(const std::string& path, bool write, bool sync_full);

  // Runs one or more statements (no results), e.g. a pragma, BEGIN/COMMIT, a migration.
  Status Exec(const std::string& sql);

  // Prepared once per connection, reused (the statement cache is the point of keeping connections). A
  // statement that does not prepare is a bug in our SQL: logged, then abort().
  Stmt Prepare(const std::string& sql);

  sqlite3* db() const { return db_.get(); }

 private:
  explicit Connection(DbPtr db) : db_(std::move(db)) {}
  DbPtr db_;
  std::map<std::string, StmtPtr> cache_;
};

}  // namespace civicgrid::store::sqlite
