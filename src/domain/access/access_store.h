// Accounts, tokens and the security audit log in the store.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/time.h"

namespace civicgrid::access {

struct User {
  std::int64_t id = 0;
  std::string login;
  std::string password_hash;  // libsodium crypto_pwhash_str (Argon2id)
  bool disabled = false;
  std::vector<std::pair<std::string, std::string>> roles;  // (role, scope: a region or org code, a channel)
  int failed_logins = 0;                                   // since the last success
  TimePoint locked_until{};                                // after repeated failures
  TimePoint password_changed_at{};
  // The second factor's secret: empty when the user has none. Sealed with the personal-data key
  // (AuthService::SealTotpSecret) when totp_sealed; in clear (base32) only in stores older than schema 9
  // until App::Open seals them.
  std::string totp_secret;
  bool totp_sealed = false;
};

// The security audit log (等保 2.0): logins, failures, permission changes, reveals of personal data, exports.
// Append-only; kept at least six months.
struct AuditRecord {
  std::int64_t id = 0;
  TimePoint at{};
  std::string actor;
  std::string action;  // login, login_failed, locked_out, logout, token_issued, user_added, user_disabled, …
  std::string target;  // what it was about: a login, a case id
  std::string detail;
  std::string remote;  // peer address, or "cli"
};

struct Token {
  std::string hash;  // hex of the token's hash; the token itself is never stored
  std::int64_t user_id = 0;
  TimePoint expires_at{};
};

// Thread-safe; may block: call from worker threads, never from I/O threads.
class AccessStore {
 public:
  virtual ~AccessStore() = default;

  // Accounts.
  virtual Result<std::int64_t> AddUser(const User& user) = 0;
  virtual Result<std::optional<User>> FindUser(const std::string& login) = 0;
  virtual Result<std::optional<User>> FindUserById(std::int64_t id) = 0;
  virtual Result<std::vector<User>> ListUsers() = 0;
  virtual Status SetUserDisabled(const std::string& login, bool disabled) = 0;
  virtual Status SetPassword(std::int64_t user_id, const std::string& hash, TimePoint at) = 0;
  // Counts a login attempt as a failure before its password is compared, in one statement, so that
  // attempts racing each other cannot share a count (issue 17: 20 parallel guesses counted as one). Returns
  // the attempt's number since the last success, or nullopt when the account is locked at `now` (nothing is
  // counted then). The attempt that reaches `max_failures` locks the account until `lock_until`; once a lock
  // has run out, counting starts again at 1. RecordLoginSuccess resets the count.
  virtual Result<std::optional<int>> CountLoginAttempt(std::int64_t user_id, TimePoint now, int max_failures,
                                                       TimePoint lock_until) = 0;
  virtual Status RecordLoginSuccess(std::int64_t user_id) = 0;
  // Marks a one-time code's time step used (RFC 6238 §5.2: a code is good once). False when this step or a
  // later one was used already; atomic, so two logins racing with one code cannot both win.
  virtual Result<bool> ClaimTotpStep(std::int64_t user_id, std::int64_t step) = 0;
  // Replaces a second factor's secret kept in clear (`plain`) by its sealed form; does nothing when it is
  // sealed already or has changed (two processes opening one store seal it once).
  virtual Status SealTotpSecret(std::int64_t user_id, const std::string& plain, const std::string& sealed) = 0;
  virtual Status AddToken(const Token& token) = 0;
  virtual Result<std::optional<Token>> FindToken(const std::string& hash) = 0;
  virtual Status DeleteToken(const std::string& hash) = 0;

  virtual Status AppendAudit(const AuditRecord& record) = 0;
  // Newest first; ids below `before` when given.
  virtual Result<std::vector<AuditRecord>> ListAudit(std::optional<std::int64_t> before, int limit) = 0;
};

}  // namespace civicgrid::access
