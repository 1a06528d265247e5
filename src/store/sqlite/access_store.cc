#include "store/sqlite/access_store.h"

#include <limits>

namespace civicgrid::store::sqlite {

using access::AuditRecord;
using access::Token;
using access::User;

namespace {

// One user with their roles, found by `where` ("login=?" binding `login`, or "id=?" binding `id`).
Result<std::optional<User>> LoadUser(Connection& c, const char* where, const std::string& login, std::int64_t id) {
  auto s = c.Prepare(std::string("SELECT id,login,password_hash,disabled,failed_logins,locked_until,"
                                 "password_changed_at,totp_secret,totp_sealed FROM users WHERE ") +
                     where);
  if (login.empty()) s.Bind(1, id);
  else s.Bind(1, login);
  if (s.Step() != SQLITE_ROW) return std::optional<User>();
  User u{
      s.Int(0),  s.Text(1),    s.Text(2), s.Int(3) != 0, {}, int(s.Int(4)), FromMillis(s.Int(5)), FromMillis(s.Int(6)),
      s.Text(7), s.Int(8) != 0};
  auto r = c.Prepare("SELECT role,scope FROM user_roles WHERE user_id=? ORDER BY role,scope");
  r.Bind(1, u.id);
  while (r.Step() == SQLITE_ROW) u.roles.emplace_back(r.Text(0), r.Text(1));
  return std::optional<User>(std::move(u));
}

}  // namespace

Result<std::int64_t> AccessStore::AddUser(const User& u) {
  std::int64_t id = 0;
  auto st = db_.Write([&](Connection& c) -> Status {
    auto s = c.Prepare(
        "INSERT INTO users(login,password_hash,disabled,password_changed_at,totp_secret,totp_sealed) "
        "VALUES(?,?,?,?,?,?)");
    s.Bind(1, u.login).Bind(2, u.password_hash).Bind(3, int(u.disabled)).Bind(4, ToMillis(u.password_changed_at));
    s.Bind(5, u.totp_secret).Bind(6, int(u.totp_sealed));
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

Result<std::optional<User>> AccessStore::FindUser(const std::string& login) {
  return db_.Read<std::optional<User>>([&](Connection& c) { return LoadUser(c, "login=?", login, 0); });
}

Result<std::optional<User>> AccessStore::FindUserById(std::int64_t id) {
  return db_.Read<std::optional<User>>([&](Connection& c) { return LoadUser(c, "id=?", "", id); });
}

Result<std::vector<User>> AccessStore::ListUsers() {
  return db_.Read<std::vector<User>>([&](Connection& c) -> Result<std::vector<User>> {
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

Status AccessStore::SetUserDisabled(const std::string& login, bool disabled) {
  return db_.Write([&](Connection& c) -> Status {
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

Status AccessStore::SetPassword(std::int64_t user_id, const std::string& hash, TimePoint at) {
  return db_.Write([&](Connection& c) -> Status {
    auto s = c.Prepare("UPDATE users SET password_hash=?, password_changed_at=? WHERE id=?");
    s.Bind(1, hash).Bind(2, ToMillis(at)).Bind(3, user_id);
    if (int rc = s.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "set password");
    auto t = c.Prepare("DELETE FROM tokens WHERE user_id=?");  // a new password ends every session
    t.Bind(1, user_id);
    if (int rc = t.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "revoke tokens");
    return OkStatus();
  });
}

Result<std::optional<int>> AccessStore::CountLoginAttempt(std::int64_t user_id, TimePoint now, int max_failures,
                                                          TimePoint lock_until) {
  std::optional<int> attempt;
  auto st = db_.Write([&](Connection& c) -> Status {
    attempt.reset();  // a retried batch runs this again
    // One statement: SQLite evaluates every SET expression on the row as it was, and the single writer runs
    // one statement at a time, so each attempt gets its own number. A lock that ran out (locked_until set
    // but past) starts the count again at 1.
    auto s = c.Prepare(
        "UPDATE users SET failed_logins = CASE WHEN locked_until > 0 THEN 1 ELSE failed_logins + 1 END, "
        "locked_until = CASE WHEN (CASE WHEN locked_until > 0 THEN 1 ELSE failed_logins + 1 END) >= ?1 "
        "THEN ?2 ELSE 0 END WHERE id = ?3 AND locked_until <= ?4 RETURNING failed_logins");
    s.Bind(1, max_failures).Bind(2, ToMillis(lock_until)).Bind(3, user_id).Bind(4, ToMillis(now));
    int rc = s.Step();
    if (rc == SQLITE_ROW) {
      attempt = int(s.Int(0));
      rc = s.Step();
    }
    if (rc != SQLITE_DONE) return DbError(c.db(), rc, "count login attempt");
    return OkStatus();
  });
  if (!st) return st.error();
  return attempt;
}

Status AccessStore::RecordLoginSuccess(std::int64_t user_id) {
  return db_.Write([&](Connection& c) -> Status {
    auto s = c.Prepare("UPDATE users SET failed_logins=0, locked_until=0 WHERE id=?");
    s.Bind(1, user_id);
    if (int rc = s.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "login success");
    return OkStatus();
  });
}

Result<bool> AccessStore::ClaimTotpStep(std::int64_t user_id, std::int64_t step) {
  bool claimed = false;
  auto st = db_.Write([&](Connection& c) -> Status {
    auto s = c.Prepare("UPDATE users SET totp_last_step=? WHERE id=? AND totp_last_step<?");
    s.Bind(1, step).Bind(2, user_id).Bind(3, step);
    if (int rc = s.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "one-time code step");
    claimed = sqlite3_changes(c.db()) == 1;
    return OkStatus();
  });
  if (!st) return st.error();
  return claimed;
}

Status AccessStore::SealTotpSecret(std::int64_t user_id, const std::string& plain, const std::string& sealed) {
  return db_.Write([&](Connection& c) -> Status {
    // secure_delete: the page is rewritten with the freed bytes zeroed, so the clear secret does not linger in
    // the file's free space once the page is checkpointed.
    if (auto st = c.Exec("PRAGMA secure_delete=ON"); !st) return st;
    auto s = c.Prepare("UPDATE users SET totp_secret=?, totp_sealed=1 WHERE id=? AND totp_sealed=0 AND totp_secret=?");
    s.Bind(1, sealed).Bind(2, user_id).Bind(3, plain);
    const int rc = s.Step();
    (void)c.Exec("PRAGMA secure_delete=OFF");
    if (rc != SQLITE_DONE) return DbError(c.db(), rc, "seal one-time code secret");
    return OkStatus();
  });
}

Status AccessStore::AppendAudit(const AuditRecord& r) {
  return db_.Write([&](Connection& c) -> Status {
    auto s = c.Prepare("INSERT INTO security_audit(at,actor,action,target,detail,remote) VALUES(?,?,?,?,?,?)");
    s.Bind(1, ToMillis(r.at)).Bind(2, r.actor).Bind(3, r.action).Bind(4, r.target).Bind(5, r.detail);
    s.Bind(6, r.remote);
    if (int rc = s.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "audit");
    return OkStatus();
  });
}

Result<std::vector<AuditRecord>> AccessStore::ListAudit(std::optional<std::int64_t> before, int limit) {
  return db_.Read<std::vector<AuditRecord>>([&](Connection& c) -> Result<std::vector<AuditRecord>> {
    auto s = c.Prepare(
        "SELECT id,at,actor,action,target,detail,remote FROM security_audit WHERE id<? "
        "ORDER BY id DESC LIMIT ?");
    s.Bind(1, before.value_or(std::numeric_limits<std::int64_t>::max())).Bind(2, limit);
    std::vector<AuditRecord> out;
    while (s.Step() == SQLITE_ROW)
      out.push_back({s.Int(0), FromMillis(s.Int(1)), s.Text(2), s.Text(3), s.Text(4), s.Text(5), s.Text(6)});
    return out;
  });
}

Status AccessStore::AddToken(const Token& t) {
  return db_.Write([&](Connection& c) -> Status {
    auto s = c.Prepare("INSERT INTO tokens(hash,user_id,expires_at) VALUES(?,?,?)");
    s.Bind(1, t.hash).Bind(2, t.user_id).Bind(3, ToMillis(t.expires_at));
    if (int rc = s.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "add token");
    return OkStatus();
  });
}

Result<std::optional<Token>> AccessStore::FindToken(const std::string& hash) {
  return db_.Read<std::optional<Token>>([&](Connection& c) -> Result<std::optional<Token>> {
    auto s = c.Prepare("SELECT user_id,expires_at FROM tokens WHERE hash=?");
    s.Bind(1, hash);
    if (s.Step() != SQLITE_ROW) return std::optional<Token>();
    return std::optional<Token>(Token{hash, s.Int(0), FromMillis(s.Int(1))});
  });
}

Status AccessStore::DeleteToken(const std::string& hash) {
  return db_.Write([&](Connection& c) -> Status {
    auto s = c.Prepare("DELETE FROM tokens WHERE hash=?");
    s.Bind(1, hash);
    if (int rc = s.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "delete token");
    return OkStatus();
  });
}

}  // namespace civicgrid::store::sqlite
