#include "domain/access/auth.h"

#include <sodium.h>

#include <stdexcept>

#include "common/log.h"
#include "domain/access/totp.h"

namespace civicgrid::access {
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

AuthService::AuthService(AccessStore& store, const Clock& clock) : store_(store), clock_(clock) {}

std::string AuthService::RandomSecret(size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  return Hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

Status CheckPasswordRules(const std::string& password) {
  if (password.size() < 12) return Invalid("password", "a password needs at least 12 characters");
  bool lower = false, upper = false, digit = false, other = false;
  for (unsigned char c : password) {
    if (c >= 'a' && c <= 'z') lower = true;
    else if (c >= 'A' && c <= 'Z') upper = true;
    else if (c >= '0' && c <= '9') digit = true;
    else other = true;
  }
  if (int(lower) + int(upper) + int(digit) + int(other) < 3)
    return Invalid("password", "a password needs three of: lower case, upper case, digits, symbols");
  return OkStatus();
}

bool IsStaff(const std::vector<std::pair<std::string, std::string>>& roles) {
  for (const auto& [role, scope] : roles)
    if (role != "resident" && role != "channel") return true;
  return false;
}

bool NeedsSecondFactor(const std::vector<std::pair<std::string, std::string>>& roles) {
  for (const auto& [role, scope] : roles)
    if (role == "admin" || role == "dispatcher") return true;
  return false;
}

void AuthService::Audit(const std::string& actor, const std::string& action, const std::string& target,
                        const std::string& detail, const std::string& remote) {
  // An audit record that cannot be written is logged; the action itself has already been decided.
  if (auto st = store_.AppendAudit({0, clock_.Now(), actor, action, target, detail, remote}); !st)
    log::Error("security audit record not written (" + action + "): " + st.error().message);
}

Result<std::string> AuthService::HashPassword(const std::string& password) {
  if (auto st = CheckPasswordRules(password); !st) return st.error();
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

Result<access::User> AuthService::Verify(const std::string& login, const std::string& password, const std::string& otp,
                                         const std::string& remote) {
  auto found = store_.FindUser(login);
  if (!found.ok()) return found.error();
  const auto now = clock_.Now();
  // The same answer for an unknown login, a disabled account and a wrong password. A locked account says
  // so (403), so that its owner knows to wait; locking needs repeated guesses at a real login anyway.
  if (!*found || (*found)->disabled) {
    Audit(login, "login_failed", login, !*found ? "unknown login" : "disabled", remote);
    return Unauthorized("wrong login or password");
  }
  access::User user = std::move(**found);
  if (user.locked_until > now) {
    Audit(login, "login_failed", login, "locked", remote);
    return Error{
        ErrorCode::kForbidden, "too many failed logins: locked until " + FormatTime(user.locked_until), {}, {}};
  }
  const bool password_ok = crypto_pwhash_str_verify(user.password_hash.c_str(), password.data(), password.size()) == 0;
  const auto step = user.totp_secret.empty() ? std::nullopt : MatchTotp(user.totp_secret, otp, now);
  bool otp_ok = user.totp_secret.empty() || step.has_value();
  bool otp_reused = false;
  // Only with the right password is the code spent: a guesser cannot burn the owner's current code.
  if (password_ok && step) {
    auto claimed = store_.ClaimTotpStep(user.id, *step);
    if (!claimed.ok()) return claimed.error();
    otp_ok = *claimed;
    otp_reused = !*claimed;
  }
  if (!password_ok || !otp_ok) {
    const int failed = user.failed_logins + 1;
    const bool lock = failed >= kMaxFailedLogins;
    (void)store_.RecordLoginFailure(user.id, lock ? 0 : failed, lock ? now + kLockout : TimePoint{});
    Audit(login, "login_failed", login,
          !password_ok ? "wrong password"
          : otp_reused ? "one-time code used before"
                       : "wrong one-time code",
          remote);
    if (lock) Audit(login, "locked_out", login, "after " + std::to_string(failed) + " failures", remote);
    if (password_ok && otp.empty()) return Unauthorized("this account needs a one-time code (otp)");
    if (otp_reused) return Unauthorized("this one-time code was used already: wait for the next one");
    return Unauthorized("wrong login or password");
  }
  return user;
}

Result<IssuedToken> AuthService::Login(const std::string& login, const std::string& password, const std::string& otp,
                                       const std::string& remote) {
  auto user = Verify(login, password, otp, remote);
  if (!user.ok()) return user.error();
  (void)store_.RecordLoginSuccess(user->id);
  if (IsStaff(user->roles) && user->password_changed_at + kPasswordLifetime < clock_.Now()) {
    Audit(login, "login_failed", login, "password expired", remote);
    return Error{ErrorCode::kForbidden, "the password has expired: change it (POST /api/v1/password)", "password", {}};
  }
  Audit(login, "login", login, "", remote);
  return IssueToken(login, kLoginLifetime);
}

Status AuthService::ChangePassword(const std::string& login, const std::string& old_password, const std::string& otp,
                                   const std::string& new_password, const std::string& remote) {
  auto user = Verify(login, old_password, otp, remote);
  if (!user.ok()) return user.error();
  if (new_password == old_password) return Invalid("new_password", "the new password must differ from the old one");
  auto hash = HashPassword(new_password);
  if (!hash.ok()) {
    Error e = hash.error();
    e.field = "new_password";
    return e;
  }
  if (auto st = store_.SetPassword(user->id, *hash, clock_.Now()); !st) return st;
  (void)store_.RecordLoginSuccess(user->id);
  Audit(login, "password_changed", login, "", remote);
  return OkStatus();
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

}  // namespace civicgrid::access
