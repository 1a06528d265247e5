#include "http/client_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace civicgrid::http {

namespace {

std::string Trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// "1.2.3.4", "1.2.3.4:80", "::1", "[::1]", "[::1]:443" → 16 bytes (IPv4 mapped).
std::optional<std::array<unsigned char, 16>> ParseAddress(std::string text) {
  std::array<unsigned char, 16> out{};
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos) return std::nullopt;
    text = text.substr(1, close - 1);
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    text = text.substr(0, text.find(':'));  // IPv4 with a port
  }
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    out[10] = out[11] = 0xff;
    std::memcpy(&out[12], &v4, 4);
    return out;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    std::memcpy(out.data(), &v6, 16);
    return out;
  }
  return std::nullopt;
}

bool Contains(const TrustedNet& net, const std::array<unsigned char, 16>& a) {
  int bits = net.prefix;
  for (size_t i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const unsigned mask = bits >= 8 ? 0xffu : (0xffu << (8 - bits)) & 0xffu;
    if ((a[i] & mask) != (net.bytes[i] & mask)) return false;
  }
  return true;
}

bool Trusted(const std::vector<TrustedNet>& trusted, const std::array<unsigned char, 16>& a) {
  for (const auto& n : trusted)
    if (Contains(n, a)) return true;
  return false;
}

std::vector<std::string> SplitComma(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const auto comma = list.find(',', start);
    out.push_back(Trim(list.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

}  // namespace

std::optional<std::vector<TrustedNet>> ParseTrustedProxies(const std::string& list, std::string& error) {
  std::vector<TrustedNet> out;
  if (Trim(list).empty()) return out;
  for (const auto& item : SplitComma(list)) {
    const auto slash = item.find('/');
    const std::string addr = item.substr(0, slash);
    // ParseAddress also takes "1.2.3.4:80" (a forwarded hop may carry a port); a trusted item may not.
    const bool has_port = !addr.empty() && addr.front() != '[' && std::count(addr.begin(), addr.end(), ':') == 1;
    auto bytes = has_port ? std::nullopt : ParseAddress(addr);
    if (!bytes) {
      error = "'" + item + "' is not an IP address or network";
      return std::nullopt;
    }
    const bool v4 = addr.find(':') == std::string::npos;
    TrustedNet net{*bytes, 128};
    if (slash != std::string::npos) {
      const std::string bits = item.substr(slash + 1);
      const int max = v4 ? 32 : 128;
      if (bits.empty() || bits.size() > 3 || bits.find_first_not_of("0123456789") != std::string::npos ||
          std::stoi(bits) > max) {
        error = "'" + item + "': the prefix length must be 0–" + std::to_string(max);
        return std::nullopt;
      }
      net.prefix = (v4 ? 96 : 0) + std::stoi(bits);
    }
    out.push_back(net);
  }
  return out;
}

std::string ClientAddress(const std::string& peer, const std::string* forwarded_for,
                          const std::vector<TrustedNet>& trusted) {
  if (trusted.empty() || !forwarded_for) return peer;
  const auto peer_bytes = ParseAddress(peer);
  if (!peer_bytes || !Trusted(trusted, *peer_bytes)) return peer;
  std::string client = peer;
  const auto hops = SplitComma(*forwarded_for);
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    const auto bytes = ParseAddress(*it);
    if (!bytes) break;
    client = *it;
    if (!Trusted(trusted, *bytes)) break;
  }
  // Without a port or brackets, as the peer address is written.
  if (auto bytes = ParseAddress(client)) {
    char text[INET6_ADDRSTRLEN] = {};
    const bool v4 = std::memcmp(bytes->data(), "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0;
    if (v4) inet_ntop(AF_INET, &(*bytes)[12], text, sizeof text);
    else inet_ntop(AF_INET6, bytes->data(), text, sizeof text);
    return text;
  }
  return client;
}

}  // namespace civicgrid::http
