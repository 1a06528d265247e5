#include "domain/access/auth.h"

#include <sodium.h>

#include <mutex>
#include <stdexcept>

#include "common/log.h"
#include "common/text.h"
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

// The one answer to an unknown login, a disabled or locked account, a wrong password and a wrong code: it
// tells neither that the login exists nor whether the password was right. The lock-out is stated as the
// rule it is, the same for everyone.
Error WrongLoginOrPassword() {
  return Unauthorized("wrong login or password (5 failures in a row lock an account for 15 minutes)");
}

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

AuthService::AuthService(AccessStore& store, const Clock& clock, const privacy::Vault& vault, HashLimits limits)
    : store_(store), clock_(clock), vault_(vault), gate_(limits) {}

namespace {

// A hash with the same parameters as every account's, of a password nobody knows: an unknown or disabled
// login is compared against it, so it costs what a real one costs (issue 17: 1.5 ms against 85 ms told which
// logins exist). Made once, on first use.
const std::string& DummyHash() {
  static std::once_flag once;
  static std::string hash;
  std::call_once(once, [] {
    std::string secret(32, '\0');
    randombytes_buf(secret.data(), secret.size());
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, secret.data(), secret.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0)
      hash = out;
  });
  return hash;
}

}  // namespace

std::string AuthService::RandomSecret(size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  return Hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

Status CheckPasswordRules(const std::string& password) {
  // Characters are code points: `啊啊啊啊A1` is 14 bytes but 6 characters.
  if (!text::IsValidUtf8(password)) return Invalid("password", "a password must be valid UTF-8");
  if (text::CodePoints(password) < 12) return Invalid("password", "a password needs at least 12 characters");
  bool lower = false, upper = false, digit = false, other = false;
  for (unsigned char c : password) {
    if (c >= 'a' && c <= 'z') lower = true;
    else if (c >= 'A' && c <= 'Z') upper = true;
    else if (c >= '0' && c <= '9') digit = true;
    else if ((c & 0xC0) != 0x80) other = true;  // a symbol, or the first byte of any other character
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

std::string AuthService::SealTotpSecret(const std::string& base32) const {
  return base32.empty() ? std::string() : vault_.Seal(base32, "").cipher;
}

Result<std::string> AuthService::OpenTotpSecret(const User& user) const {
  if (!user.totp_sealed) return user.totp_secret;  // a store older than schema 9, not sealed yet
  return vault_.Open(privacy::Sealed{user.totp_secret, "", ""});
}

Result<int> AuthService::SealStoredTotpSecrets() {
  auto users = store_.ListUsers();
  if (!users.ok()) return users.error();
  int sealed = 0;
  for (const auto& u : *users) {
    if (u.totp_sealed || u.totp_secret.empty()) continue;
    if (auto st = store_.SealTotpSecret(u.id, u.totp_secret, SealTotpSecret(u.totp_secret)); !st) return st.error();
    ++sealed;
  }
  return sealed;
}

Result<access::User> AuthService::Verify(const std::string& login, const std::string& password, const std::string& otp,
                                         const std::string& remote) {
  // Every attempt, whatever the login, waits for a hash slot and computes one Argon2id hash: the memory is
  // bounded, and an unknown login costs what a known one costs.
  auto slot = gate_.Enter();
  if (!slot.ok()) {
    Audit(login, "login_failed", login, "server busy", remote);
    return slot.error();
  }
  auto found = store_.FindUser(login);
  if (!found.ok()) return found.error();
  const auto now = clock_.Now();
  if (!*found || (*found)->disabled) {
    // The answer is wrong whatever this says; it is computed only for its cost.
    [[maybe_unused]] const int same = crypto_pwhash_str_verify(DummyHash().c_str(), password.data(), password.size());
    slot->Release();
    Audit(login, "login_failed", login, !*found ? "unknown login" : "disabled", remote);
    return WrongLoginOrPassword();
  }
  access::User user = std::move(**found);
  // The attempt counts as a failure before the hash is compared (a success resets the count), so parallel
  // guesses each count: at most kMaxFailedLogins of them are compared before the lock.
  auto attempt = store_.CountLoginAttempt(user.id, now, kMaxFailedLogins, now + kLockout);
  if (!attempt.ok()) return attempt.error();
  const bool password_ok = crypto_pwhash_str_verify(user.password_hash.c_str(), password.data(), password.size()) == 0;
  slot->Release();  // the audit records and the code's step are written without holding a hash slot
  if (!*attempt) {
    // Locked: the same answer as a wrong password whether or not this one was right, so the lock tells
    // neither that the login exists nor, while it lasts, whether a guess was right.
    Audit(login, "login_failed", login, "locked", remote);
    return WrongLoginOrPassword();
  }
  const int failed = **attempt;
  auto secret = OpenTotpSecret(user);
  if (!secret.ok()) return secret.error();
  const auto step = secret->empty() ? std::nullopt : MatchTotp(*secret, otp, now);
  bool otp_ok = secret->empty() || step.has_value();
  bool otp_reused = false;
  // Only with the right password is the code spent: a guesser cannot burn the owner's current code.
  if (password_ok && step) {
    auto claimed = store_.ClaimTotpStep(user.id, *step);
    if (!claimed.ok()) return claimed.error();
    otp_ok = *claimed;
    otp_reused = !*claimed;
  }
  if (!password_ok || !otp_ok) {
    const bool lock = failed >= kMaxFailedLogins;
    Audit(login, "login_failed", login,
          !password_ok ? "wrong password"
          : otp_reused ? "one-time code used before"
                       : "wrong one-time code",
          remote);
    if (lock) Audit(login, "locked_out", login, "after " + std::to_string(failed) + " failures", remote);
    // With the right password the owner is told what the code lacks (it counted as a failure all the same).
    if (password_ok && otp.empty()) return Unauthorized("this account needs a one-time code (otp)");
    if (otp_reused) return Unauthorized("this one-time code was used already: wait for the next one");
    return WrongLoginOrPassword();
  }
  if (auto st = store_.RecordLoginSuccess(user.id); !st) return st.error();
  return user;
}

Result<IssuedToken> AuthService::Login(const std::string& login, const std::string& password, const std::string& otp,
                                       const std::string& remote) {
  auto user = Verify(login, password, otp, remote);
  if (!user.ok()) return user.error();
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
  Result<std::string> hash = std::string();
  {
    auto slot = gate_.Enter();  // the new hash takes its 64 MiB like any other
    if (!slot.ok()) return slot.error();
    hash = HashPassword(new_password);
  }
  if (!hash.ok()) {
    Error e = hash.error();
    e.field = "new_password";
    return e;
  }
  if (auto st = store_.SetPassword(user->id, *hash, clock_.Now()); !st) return st;
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
