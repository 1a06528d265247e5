// Time-based one-time passwords (RFC 6238, HMAC-SHA1, 30-second steps, 6 digits): the second factor for
// admin and dispatcher accounts. Pure functions; time comes in as a value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/time.h"

namespace civicgrid::access {

std::string Base32Encode(std::string_view bytes);
std::optional<std::string> Base32Decode(std::string_view text);

std::string NewTotpSecret();  // base32 of 20 random bytes
// The code for the step containing `at`, with `digits` digits.
std::string TotpCode(std::string_view secret_bytes, TimePoint at, int digits = 6);
// The 30-second step containing `at` (the RFC's counter T).
std::int64_t TotpStep(TimePoint at);
// Accepts the current step and one on either side (clock drift of up to 30 s): the step the code belongs
// to, or nullopt. A verifier must also refuse a step already used (see store::Store::ClaimTotpStep).
std::optional<std::int64_t> MatchTotp(const std::string& secret_base32, const std::string& code, TimePoint now);
bool VerifyTotp(const std::string& secret_base32, const std::string& code, TimePoint now);
std::string TotpUri(const std::string& login, const std::string& secret_base32);

}  // namespace civicgrid::access
