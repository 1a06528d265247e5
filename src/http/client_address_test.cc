#include "http/client_address.h"

#include <gtest/gtest.h>

namespace civicgrid::http {
namespace {

std::vector<TrustedNet> Nets(const std::string& list) {
  std::string error;
  auto nets = ParseTrustedProxies(list, error);
  EXPECT_TRUE(nets) << error;
  return nets.value_or(std::vector<TrustedNet>{});
}

TEST(ClientAddress, UntrustedPeersSpeakForThemselves) {
  const std::string xff = "203.0.113.9";
  EXPECT_EQ(ClientAddress("198.51.100.7", &xff, {}), "198.51.100.7");
  EXPECT_EQ(ClientAddress("198.51.100.7", &xff, Nets("10.0.0.0/8")), "198.51.100.7");
  EXPECT_EQ(ClientAddress("10.1.2.3", nullptr, Nets("10.0.0.0/8")), "10.1.2.3");
}

TEST(ClientAddress, TheRightMostUntrustedHop) {
  const auto trusted = Nets("10.0.0.0/8, 192.168.1.1");
  std::string xff = "203.0.113.9";
  EXPECT_EQ(ClientAddress("10.0.0.5", &xff, trusted), "203.0.113.9");
  // The client wrote the first entry itself: a forgery to the left of the real hop is ignored.
  xff = "1.1.1.1, 203.0.113.9";
  EXPECT_EQ(ClientAddress("10.0.0.5", &xff, trusted), "203.0.113.9");
  // Two proxies: the inner one's address is trusted too, so the walk goes past it.
  xff = "1.1.1.1, 203.0.113.9, 192.168.1.1";
  EXPECT_EQ(ClientAddress("10.0.0.5", &xff, trusted), "203.0.113.9");
  // Only trusted hops: the left-most of them.
  xff = "10.9.9.9,192.168.1.1";
  EXPECT_EQ(ClientAddress("10.0.0.5", &xff, trusted), "10.9.9.9");
  // Ports and brackets as some proxies write them; the answer is the bare address.
  xff = "203.0.113.9:5123";
  EXPECT_EQ(ClientAddress("10.0.0.5", &xff, trusted), "203.0.113.9");
  xff = "[2001:db8::1]:443";
  EXPECT_EQ(ClientAddress("10.0.0.5", &xff, trusted), "2001:db8::1");
}

TEST(ClientAddress, GarbageStopsAtTheLastVouchedAddress) {
  const auto trusted = Nets("10.0.0.0/8");
  std::string xff = "unknown";
  EXPECT_EQ(ClientAddress("10.0.0.5", &xff, trusted), "10.0.0.5");
  xff = "203.0.113.9, not-an-ip, 10.2.2.2";
  EXPECT_EQ(ClientAddress("10.0.0.5", &xff, trusted), "10.2.2.2");
  xff = "";
  EXPECT_EQ(ClientAddress("10.0.0.5", &xff, trusted), "10.0.0.5");
}

TEST(ClientAddress, Ipv6AndMappedPeers) {
  const auto trusted = Nets("::1, fd00::/8, 127.0.0.1");
  std::string xff = "2001:db8::7";
  EXPECT_EQ(ClientAddress("::1", &xff, trusted), "2001:db8::7");
  EXPECT_EQ(ClientAddress("fd12:3456::1", &xff, trusted), "2001:db8::7");
  EXPECT_EQ(ClientAddress("::ffff:127.0.0.1", &xff, trusted), "2001:db8::7");
  EXPECT_EQ(ClientAddress("fe80::1", &xff, trusted), "fe80::1");
}

TEST(ClientAddress, ParseNamesTheBadItem) {
  std::string error;
  EXPECT_FALSE(ParseTrustedProxies("10.0.0.1, proxy.local", error));
  EXPECT_EQ(error, "'proxy.local' is not an IP address or network");
  EXPECT_FALSE(ParseTrustedProxies("10.0.0.0/33", error));
  EXPECT_EQ(error, "'10.0.0.0/33': the prefix length must be 0–32");
  EXPECT_FALSE(ParseTrustedProxies("fd00::/129", error));
  EXPECT_FALSE(ParseTrustedProxies("10.0.0.0/", error));
  EXPECT_TRUE(ParseTrustedProxies("", error)->empty());
  EXPECT_EQ(ParseTrustedProxies("0.0.0.0/0", error)->size(), 1u);
}

}  // namespace
}  // namespace civicgrid::http
