// Accounts and bearer tokens. Tokens are random, shown once, and stored only as a hash; passwords are
// Argon2id hashes (libsodium). Every /api request passes Authenticate in one place (http/api.cc), so roles
// and scopes (issue 4) grow here without touching handlers. Thread-safe; blocks on the store.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "domain/access/access_store.h"
#include "domain/access/hash_gate.h"
#include "privacy/personal_data.h"

namespace civicgrid::access {

struct Principal {
  std::int64_t user_id = 0;
  std::string login;
  std::vector<std::pair<std::string, std::string>> roles;  // (role, scope)
  bool HasRole(const std::string& role) const;
};

// Password rules for every account (等保 2.0): at least 12 characters (code points, not bytes: `啊啊啊啊A1` is
// 6) from at least three of the classes lower case, upper case, digits and symbols (any other character).
// Staff passwords expire after kPasswordLifetime.
Status CheckPasswordRules(const std::string& password);
inline constexpr std::chrono::hours kPasswordLifetime{24 * 90};
inline constexpr int kMaxFailedLogins = 5;
inline constexpr std::chrono::minutes kLockout{15};

struct IssuedToken {
  std::string token;
  TimePoint expires_at{};
};

class AuthService {
 public:
  // `vault` seals and opens the second factors' secrets (the personal-data key); `limits` bound the password
  // hashes computed at once (hash_gate.h).
  AuthService(AccessStore& store, const Clock& clock, const privacy::Vault& vault, HashLimits limits = {});

  Result<IssuedToken> IssueToken(const std::string& login, std::chrono::hours lifetime);
  // `otp` is required for accounts with a second factor (admins and dispatchers). `remote` is recorded in
  // the security audit log with every success and failure.
  Result<IssuedToken> Login(const std::string& login, const std::string& password, const std::string& otp,
                            const std::string& remote);
  Status ChangePassword(const std::string& login, const std::string& old_password, const std::string& otp,
                        const std::string& new_password, const std::string& remote);
  void Audit(const std::string& actor, const std::string& action, const std::string& target, const std::string& detail,
             const std::string& remote);
  Result<Principal> Authenticate(const std::string& bearer_token);
  Status Logout(const std::string& bearer_token);

  static Result<std::string> HashPassword(const std::string& password);  // checks the rules first
  static std::string RandomSecret(size_t bytes);                         // hex

  // A second factor's secret as the store keeps it (sealed with the personal-data key), and back.
  std::string SealTotpSecret(const std::string& base32) const;
  Result<std::string> OpenTotpSecret(const User& user) const;
  // Seals the secrets a store older than schema 9 kept in clear (App::Open calls it: SQL cannot reach the key).
  Result<int> SealStoredTotpSecrets();

  const HashGate& hash_gate() const { return gate_; }

 private:
  // Password, lock-out and second factor: the checks login and password change share. On success the
  // failure count is reset.
  Result<access::User> Verify(const std::string& login, const std::string& password, const std::string& otp,
                              const std::string& remote);

  AccessStore& store_;
  const Clock& clock_;
  const privacy::Vault& vault_;
  HashGate gate_;
};

// Whether a role set counts as staff (passwords expire) and needs a second factor.
bool IsStaff(const std::vector<std::pair<std::string, std::string>>& roles);
bool NeedsSecondFactor(const std::vector<std::pair<std::string, std::string>>& roles);

inline constexpr std::chrono::hours kLoginLifetime{12};
inline constexpr std::chrono::hours kCliTokenLifetime{24 * 30};

}  // namespace civicgrid::access
