// Personal data of residents: validation of Chinese mobile and ID-card numbers, masking for display, and
// the vault that keeps them encrypted at rest (SM4) with an SM3-HMAC for exact lookup (等保 2.0 / 密评).
// Pure functions here; the vault is immutable after construction and safe to share between threads.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "privacy/sealed.h"

namespace civicgrid::privacy {

// Mainland mobile numbers: 11 digits starting 13–19 (an optional +86 / 86 prefix and spaces or dashes are
// accepted and removed). Returns the normalised 11 digits.
std::optional<std::string> NormalizeMobile(std::string_view text);
// A mobile number, or a fixed line with its area code (0 + 2–3 digits, then 7–8 digits): what a caller
// may leave as a contact. Returns digits only.
std::optional<std::string> NormalizePhone(std::string_view text);
// Resident ID numbers (GB 11643-1999): 17 digits and a check character (0–9 or X) computed with the ISO 7064
// MOD 11-2 weights, a valid birth date, and a region code that is not 000000. Returns it with an upper-case X.
std::optional<std::string> NormalizeIdNumber(std::string_view text);
char IdCheckCharacter(std::string_view first17);

std::string MaskPhone(std::string_view phone);  // 138****5678
std::string MaskIdNumber(std::string_view id);  // first 6 and last 4 digits: 320923********1234
std::string MaskName(std::string_view name);    // first character, then ** (张**)

class Vault {
 public:
  // Key material: 80 bytes as 160 hex characters (16 SM4, 32 MAC, 32 lookup). The key lives in a file
  // outside the store, so the store file alone reveals nothing.
  static Result<std::unique_ptr<Vault>> FromHex(std::string_view hex_key);
  static std::string NewKeyHex();

  Sealed Seal(std::string_view plain, std::string masked) const;
  Result<std::string> Open(const Sealed& sealed) const;
  std::string Lookup(std::string_view normalised) const;

 private:
  Vault() = default;
  std::string enc_key_, mac_key_, lookup_key_;
};

namespace detail {
// SM4 in CTR mode (encrypts and decrypts); exposed for the known-answer test.
std::string Sm4Ctr(const std::string& key, const std::string& iv, std::string_view in);
}  // namespace detail

}  // namespace civicgrid::privacy
