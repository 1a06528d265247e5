// Who is calling, behind a reverse proxy: the rate limits and the security audit log need the client's
// address, not the TLS proxy's that every request arrives from. Pure functions, no sockets.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace civicgrid::http {

// An address or network (CIDR) a proxy may call from: "10.0.0.5", "10.0.0.0/8", "::1", "fd00::/8".
struct TrustedNet {
  std::array<unsigned char, 16> bytes{};  // IPv4 as IPv4-mapped IPv6 (::ffff:a.b.c.d)
  int prefix = 128;                       // bits of `bytes` that must match
};

// Parses "a,b,…" (spaces allowed). Error text names the bad item.
std::optional<std::vector<TrustedNet>> ParseTrustedProxies(const std::string& list, std::string& error);

// The client's address: the peer itself, unless the peer is a trusted proxy; then, from the X-Forwarded-For
// list (appended to by each proxy), the right-most entry that is not itself a trusted proxy, since entries
// to the left of it were written by the client and can be forged. A malformed entry stops the walk at the
// last address a trusted proxy vouched for.
std::string ClientAddress(const std::string& peer, const std::string* forwarded_for,
                          const std::vector<TrustedNet>& trusted);

}  // namespace civicgrid::http
