#include "auth/auth.h"

#include <sodium.h>

#include <stdexcept>

namespace civicgrid::auth {
namespace {

std::string Hex(const unsigned char* data, size_t n) {
  std::string out(n * 2, '\0');
  sodium_bin2hex(out.data(), out.size() + 1, data, n);
  return out;
}

std::string TokenHash(const std::string& token) {
  unsigned char h[32];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(token.data()), token.size(), nullptr, 0);
  return Hex(h, sizeof h);
}

Error Unauthorized(std::string message) { return Error{ErrorCode::kUnauthorized, std::move(message), {}, {}}; }

struct SodiumInit {
  SodiumInit() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  }
};
const SodiumInit kSodium;

}  // namespace

bool Principal::HasRole(const std::string& role) const {
  for (const auto& r : roles)
    if (r.first == role) return true;
  return false;
}

AuthService::AuthService(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

std::string AuthService::RandomSecret(size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  return Hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

Result<std::string> AuthService::HashPassword(const std::string& password) {
  if (password.size() < 8) return Invalid("password", "a password needs at least 8 characters");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return Internal("out of memory hashing a password");
  return std::string(out);
}

Result<IssuedToken> AuthService::IssueToken(const std::string& login, std::chrono::hours lifetime) {
  auto user = store_.FindUser(login);
  if (!user.ok()) return user.error();
  if (!*user) return NotFound("no user '" + login + "'");
  if ((*user)->disabled) return Error{ErrorCode::kForbidden, "user '" + login + "' is disabled", {}, {}};
  IssuedToken t{"cg_" + RandomSecret(24), clock_.Now() + lifetime};
  if (auto st = store_.AddToken({TokenHash(t.token), (*user)->id, t.expires_at}); !st) return st.error();
  return t;
}

Result<IssuedToken> AuthService::Login(const std::string& login, const std::string& password) {
  auto user = store_.FindUser(login);
  if (!user.ok()) return user.error();
  // The same answer for an unknown login and a wrong password: do not tell which logins exist.
  if (!*user || (*user)->disabled ||
      crypto_pwhash_str_verify((*user)->password_hash.c_str(), password.data(), password.size()) != 0)
    return Unauthorized("wrong login or password");
  return IssueToken(login, kLoginLifetime);
}

Result<Principal> AuthService::Authenticate(const std::string& bearer) {
  if (bearer.empty()) return Unauthorized("missing bearer token");
  auto token = store_.FindToken(TokenHash(bearer));
  if (!token.ok()) return token.error();
  if (!*token || (*token)->expires_at <= clock_.Now()) return Unauthorized("invalid or expired token");
  auto user = store_.FindUserById((*token)->user_id);
  if (!user.ok()) return user.error();
  if (!*user || (*user)->disabled) return Unauthorized("invalid or expired token");
  return Principal{(*user)->id, (*user)->login, (*user)->roles};
}

Status AuthService::Logout(const std::string& bearer) { return store_.DeleteToken(TokenHash(bearer)); }

}  // namespace civicgrid::auth
