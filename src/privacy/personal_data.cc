#include "privacy/personal_data.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <chrono>

namespace civicgrid::privacy {
namespace {

std::string Hex(std::string_view bytes) {
  static const char* const kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::optional<std::string> Unhex(std::string_view hex) {
  if (hex.size() % 2) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = char(hi * 16 + lo);
  }
  return out;
}

std::string HmacSm3(const std::string& key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sm3(), key.data(), int(key.size()), reinterpret_cast<const unsigned char*>(data.data()), data.size(), out,
       &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

struct CipherCtx {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ~CipherCtx() { EVP_CIPHER_CTX_free(ctx); }
};

}  // namespace

// SM4-CTR both ways (CTR is its own inverse).
std::string detail::Sm4Ctr(const std::string& key, const std::string& iv, std::string_view in) {
  CipherCtx c;
  std::string out(in.size() + 16, '\0');
  int len = 0, fin = 0;
  EVP_EncryptInit_ex(c.ctx, EVP_sm4_ctr(), nullptr, reinterpret_cast<const unsigned char*>(key.data()),
                     reinterpret_cast<const unsigned char*>(iv.data()));
  EVP_EncryptUpdate(c.ctx, reinterpret_cast<unsigned char*>(out.data()), &len,
                    reinterpret_cast<const unsigned char*>(in.data()), int(in.size()));
  EVP_EncryptFinal_ex(c.ctx, reinterpret_cast<unsigned char*>(out.data()) + len, &fin);
  out.resize(size_t(len + fin));
  return out;
}

using detail::Sm4Ctr;

std::optional<std::string> NormalizeMobile(std::string_view text) {
  std::string digits;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c >= '0' && c <= '9') digits.push_back(c);
    else if (c == ' ' || c == '-' || (c == '+' && i == 0)) continue;
    else return std::nullopt;
  }
  if (digits.size() == 13 && digits.compare(0, 2, "86") == 0) digits.erase(0, 2);
  if (digits.size() != 11 || digits[0] != '1' || digits[1] < '3' || digits[1] > '9') return std::nullopt;
  return digits;
}

std::optional<std::string> NormalizePhone(std::string_view text) {
  if (auto mobile = NormalizeMobile(text)) return mobile;
  std::string digits;
  for (char c : text) {
    if (c >= '0' && c <= '9') digits.push_back(c);
    else if (c != ' ' && c != '-') return std::nullopt;
  }
  // Fixed lines: area code 0 + 2 or 3 digits, subscriber number of 7 or 8 digits (10 to 12 digits in all).
  if (digits.size() < 10 || digits.size() > 12 || digits[0] != '0') return std::nullopt;
  return digits;
}

char IdCheckCharacter(std::string_view first17) {
  static const int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static const char kCheck[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (first17[size_t(i)] - '0') * kWeights[i];
  return kCheck[sum % 11];
}

std::optional<std::string> NormalizeIdNumber(std::string_view text) {
  if (text.size() != 18) return std::nullopt;
  std::string id(text);
  if (id[17] == 'x') id[17] = 'X';
  for (int i = 0; i < 17; ++i)
    if (id[size_t(i)] < '0' || id[size_t(i)] > '9') return std::nullopt;
  if (!((id[17] >= '0' && id[17] <= '9') || id[17] == 'X')) return std::nullopt;
  if (id.compare(0, 6, "000000") == 0) return std::nullopt;
  const int y = std::stoi(id.substr(6, 4)), m = std::stoi(id.substr(10, 2)), d = std::stoi(id.substr(12, 2));
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month(unsigned(m)),
                                        std::chrono::day(unsigned(d))};
  if (!ymd.ok() || y < 1800 || y > 2100) return std::nullopt;
  if (IdCheckCharacter(id) != id[17]) return std::nullopt;
  return id;
}

std::string MaskPhone(std::string_view p) {
  if (p.size() < 7) return std::string(p.size(), '*');
  return std::string(p.substr(0, 3)) + std::string(p.size() - 7, '*') + std::string(p.substr(p.size() - 4));
}

std::string MaskIdNumber(std::string_view id) {
  if (id.size() < 10) return std::string(id.size(), '*');
  return std::string(id.substr(0, 6)) + std::string(id.size() - 10, '*') + std::string(id.substr(id.size() - 4));
}

std::string MaskName(std::string_view name) {
  if (name.empty()) return "";
  size_t first = 1;  // keep the first character, UTF-8 aware
  while (first < name.size() && (static_cast<unsigned char>(name[first]) & 0xC0) == 0x80) ++first;
  return std::string(name.substr(0, first)) + "**";
}

Result<std::unique_ptr<Vault>> Vault::FromHex(std::string_view hex_key) {
  while (!hex_key.empty() && (hex_key.back() == '\n' || hex_key.back() == '\r' || hex_key.back() == ' '))
    hex_key.remove_suffix(1);
  auto raw = Unhex(hex_key);
  if (!raw || raw->size() != 80) return Invalid("key", "the personal-data key must be 160 hex characters");
  std::unique_ptr<Vault> v(new Vault());
  v->enc_key_ = raw->substr(0, 16);
  v->mac_key_ = raw->substr(16, 32);
  v->lookup_key_ = raw->substr(48, 32);
  return v;
}

std::string Vault::NewKeyHex() {
  std::string raw(80, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), int(raw.size()));
  return Hex(raw);
}

Sealed Vault::Seal(std::string_view plain, std::string masked) const {
  if (plain.empty()) return {};
  std::string iv(16, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(iv.data()), 16);
  const std::string body = iv + Sm4Ctr(enc_key_, iv, plain);
  return Sealed{Hex(body + HmacSm3(mac_key_, body)), std::move(masked), Lookup(plain)};
}

Result<std::string> Vault::Open(const Sealed& sealed) const {
  if (sealed.cipher.empty()) return std::string();
  auto raw = Unhex(sealed.cipher);
  if (!raw || raw->size() < 16 + 32) return Internal("a sealed value is malformed");
  const std::string body = raw->substr(0, raw->size() - 32);
  const std::string tag = raw->substr(raw->size() - 32);
  const std::string expected = HmacSm3(mac_key_, body);
  if (CRYPTO_memcmp(tag.data(), expected.data(), 32) != 0)
    return Internal("a sealed value fails its integrity check (wrong key?)");
  return Sm4Ctr(enc_key_, body.substr(0, 16), std::string_view(body).substr(16));
}

std::string Vault::Lookup(std::string_view normalised) const { return Hex(HmacSm3(lookup_key_, normalised)); }

}  // namespace civicgrid::privacy
