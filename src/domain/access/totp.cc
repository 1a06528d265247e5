#include "domain/access/totp.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

namespace civicgrid::access {
namespace {
constexpr const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
}

std::string Base32Encode(std::string_view bytes) {
  std::string out;
  int buffer = 0, bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
  return out;
}

std::optional<std::string> Base32Decode(std::string_view text) {
  std::string out;
  int buffer = 0, bits = 0;
  for (char c : text) {
    if (c == '=' || c == ' ') continue;
    if (c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= '2' && c <= '7') v = c - '2' + 26;
    else return std::nullopt;
    buffer = (buffer << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push_back(char((buffer >> (bits - 8)) & 0xff));
      bits -= 8;
    }
  }
  return out;
}

std::string NewTotpSecret() {
  unsigned char raw[20];
  RAND_bytes(raw, sizeof raw);
  return Base32Encode(std::string_view(reinterpret_cast<char*>(raw), sizeof raw));
}

std::string TotpCode(std::string_view key, TimePoint at, int digits) {
  const std::uint64_t step = std::uint64_t(std::chrono::floor<seconds>(at).time_since_epoch().count()) / 30;
  unsigned char msg[8];
  for (int i = 7; i >= 0; --i) msg[7 - i] = static_cast<unsigned char>(step >> (8 * i));
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha1(), key.data(), int(key.size()), msg, sizeof msg, mac, &len);
  const int offset = mac[len - 1] & 0x0f;
  const std::uint32_t bin = (std::uint32_t(mac[offset] & 0x7f) << 24) | (std::uint32_t(mac[offset + 1]) << 16) |
                            (std::uint32_t(mac[offset + 2]) << 8) | std::uint32_t(mac[offset + 3]);
  std::uint32_t mod = 1;
  for (int i = 0; i < digits; ++i) mod *= 10;
  std::string code = std::to_string(bin % mod);
  return std::string(size_t(digits) - code.size(), '0') + code;
}

std::int64_t TotpStep(TimePoint at) { return std::chrono::floor<seconds>(at).time_since_epoch().count() / 30; }

std::optional<std::int64_t> MatchTotp(const std::string& secret, const std::string& code, TimePoint now) {
  auto key = Base32Decode(secret);
  if (!key || code.size() != 6) return std::nullopt;
  std::optional<std::int64_t> step;
  for (int d = -1; d <= 1; ++d) {  // all three compared, in constant time each
    const TimePoint at = now + seconds{30 * d};
    const std::string expected = TotpCode(*key, at);
    if (CRYPTO_memcmp(expected.data(), code.data(), 6) == 0) step = TotpStep(at);
  }
  return step;
}

bool VerifyTotp(const std::string& secret, const std::string& code, TimePoint now) {
  return MatchTotp(secret, code, now).has_value();
}

std::string TotpUri(const std::string& login, const std::string& secret) {
  return "otpauth://totp/civicgrid:" + login + "?secret=" + secret + "&issuer=civicgrid&digits=6&period=30";
}

}  // namespace civicgrid::access
