// Accounts and bearer tokens. Tokens are random, shown once, and stored only as a hash; passwords are
// Argon2id hashes (libsodium). Every /api request passes Authenticate in one place (http/api.cc), so roles
// and scopes (issue 4) grow here without touching handlers. Thread-safe; blocks on the store.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "store/store.h"

namespace civicgrid::auth {

struct Principal {
  std::int64_t user_id = 0;
  std::string login;
  std::vector<std::pair<std::string, std::string>> roles;  // (role, scope)
  bool HasRole(const std::string& role) const;
};

struct IssuedToken {
  std::string token;
  TimePoint expires_at{};
};

class AuthService {
 public:
  AuthService(store::Store& store, const Clock& clock);

  Result<IssuedToken> IssueToken(const std::string& login, std::chrono::hours lifetime);
  Result<IssuedToken> Login(const std::string& login, const std::string& password);
  Result<Principal> Authenticate(const std::string& bearer_token);
  Status Logout(const std::string& bearer_token);

  static Result<std::string> HashPassword(const std::string& password);
  static std::string RandomSecret(size_t bytes);  // hex

 private:
  store::Store& store_;
  const Clock& clock_;
};

inline constexpr std::chrono::hours kLoginLifetime{12};
inline constexpr std::chrono::hours kCliTokenLifetime{24 * 30};

}  // namespace civicgrid::auth
