#include "http/stream.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace civicgrid::http {
namespace {

using nlohmann::json;
using reference::RegionKind;

class FakeSink : public StreamSink {
 public:
  bool Send(std::string text) override {
    std::lock_guard lock(mu);
    if (closed) return false;
    sent.push_back(std::move(text));
    return true;
  }
  void Close() override { closed = true; }
  std::vector<std::string> Sent() {
    std::lock_guard lock(mu);
    return sent;
  }
  std::mutex mu;
  std::vector<std::string> sent;
  bool closed = false;
};

std::shared_ptr<const reference::Directory> Dir() {
  std::vector<reference::Region> regions = {
      {"c", "县", RegionKind::kCounty, "", ""},          {"t1", "镇1", RegionKind::kTown, "c", ""},
      {"m1", "社区1", RegionKind::kCommunity, "t1", ""}, {"m2", "社区2", RegionKind::kCommunity, "t1", ""},
      {"g1", "网格1", RegionKind::kGrid, "m1", ""},      {"g2", "网格2", RegionKind::kGrid, "m2", ""}};
  return *reference::Directory::Build(regions, {}, {}, {});
}

cases::Case CaseIn(const reference::Directory& d, const std::string& grid) {
  cases::Case c;
  c.id = cases::CaseId(7);
  c.origin.number = "GD20261124-000007";
  c.origin.category = "06001";
  c.origin.grid = grid;
  c.origin.region_path = d.PathOf(grid);
  c.origin.reporter.name = "张三";
  c.origin.title = "路面破损";
  c.status = cases::CaseStatus::kDispatched;
  c.org = "m1";
  c.version = 2;
  return c;
}

std::vector<cases::CaseEvent> Events() {
  cases::CaseEvent received;
  received.seq = 1;
  received.body = cases::events::Received{};
  received.actor = "admin";
  received.at = FromMillis(1'764'000'000'000);
  cases::CaseEvent dispatched = received;
  dispatched.seq = 2;
  dispatched.body = cases::events::Dispatched{"m1", std::nullopt, std::nullopt, ""};
  return {received, dispatched};
}

TEST(StreamHub, SendsEachEventToThoseWhoMaySeeTheCase) {
  auto d = Dir();
  StreamHub hub;
  auto admin = std::make_shared<FakeSink>(), m1 = std::make_shared<FakeSink>(), m2 = std::make_shared<FakeSink>(),
       filtered = std::make_shared<FakeSink>(), gone = std::make_shared<FakeSink>();
  hub.Add(admin, access::MakeSubject("a", {{"admin", "*"}}, *d), "");
  hub.Add(m1, access::MakeSubject("b", {{"community_staff", "m1"}}, *d), "");
  hub.Add(m2, access::MakeSubject("c", {{"community_staff", "m2"}}, *d), "");
  hub.Add(filtered, access::MakeSubject("d", {{"admin", "*"}}, *d), "m2");  // sees it, but asked for m2 only
  const auto id = hub.Add(gone, access::MakeSubject("e", {{"admin", "*"}}, *d), "");
  hub.Remove(id);
  EXPECT_EQ(hub.size(), 4u);

  const auto c = CaseIn(*d, "g1");
  hub.Publish(nullptr, c, Events());
  EXPECT_EQ(admin->Sent().size(), 2u);
  EXPECT_EQ(m1->Sent().size(), 2u);
  EXPECT_TRUE(m2->Sent().empty());
  EXPECT_TRUE(filtered->Sent().empty());
  EXPECT_TRUE(gone->Sent().empty());

  const auto j = json::parse(admin->Sent()[1]);
  EXPECT_EQ(j["type"], "case_event");
  EXPECT_EQ(j["case"], (json{{"id", 7},
                             {"number", "GD20261124-000007"},
                             {"status", "dispatched"},
                             {"org", "m1"},
                             {"category", "06001"},
                             {"grid", "g1"},
                             {"level", "community"},
                             {"version", 2}}));
  EXPECT_EQ(
      j["event"],
      (json{
          {"seq", 2}, {"type", "dispatched"}, {"actor", "admin"}, {"at", FormatTime(FromMillis(1'764'000'000'000))}}));
  EXPECT_NE(j["event"]["at"].get<std::string>().find("+08:00"), std::string::npos);
  EXPECT_EQ(admin->Sent()[1].find("张三"), std::string::npos);  // no reporter data
  EXPECT_EQ(admin->Sent()[1].find("路面破损"), std::string::npos);

  // The region filter matches whole codes in the path.
  hub.Publish(nullptr, CaseIn(*d, "g2"), {Events()[0]});
  EXPECT_EQ(filtered->Sent().size(), 1u);
  EXPECT_EQ(m2->Sent().size(), 1u);
  EXPECT_EQ(m1->Sent().size(), 2u);
}

TEST(StreamHub, TickSendsEachSubscriberItsSummary) {
  auto d = Dir();
  StreamHub hub;
  auto a = std::make_shared<FakeSink>(), b = std::make_shared<FakeSink>(), c = std::make_shared<FakeSink>();
  hub.Add(a, access::MakeSubject("a", {{"admin", "*"}}, *d), "");
  hub.Add(b, access::MakeSubject("b", {{"leader", "m1"}}, *d), "m1");
  hub.Add(c, access::MakeSubject("c", {{"leader", "m2"}}, *d), "");
  hub.Tick([](const access::Subject& s, const std::string& region) -> std::string {
    if (s.login == "c") return "";  // nothing for this one
    if (s.login == "a") return "{}";
    return json{{"login", s.login}, {"region", region}, {"open", 3}}.dump();
  });
  ASSERT_EQ(a->Sent().size(), 1u);
  EXPECT_EQ(json::parse(a->Sent()[0]), (json{{"type", "aggregates"}}));
  ASSERT_EQ(b->Sent().size(), 1u);
  EXPECT_EQ(json::parse(b->Sent()[0]), (json{{"type", "aggregates"}, {"login", "b"}, {"region", "m1"}, {"open", 3}}));
  EXPECT_TRUE(c->Sent().empty());
}

TEST(StreamHub, RevalidateClosesStreamsWhoseTokenNoLongerHolds) {
  auto d = Dir();
  StreamHub hub;
  auto kept = std::make_shared<FakeSink>(), revoked = std::make_shared<FakeSink>(),
       unchecked = std::make_shared<FakeSink>();
  hub.Add(kept, access::MakeSubject("a", {{"admin", "*"}}, *d), "", [] { return true; });
  hub.Add(revoked, access::MakeSubject("b", {{"admin", "*"}}, *d), "", [] { return false; });
  hub.Add(unchecked, access::MakeSubject("c", {{"admin", "*"}}, *d), "");
  EXPECT_EQ(hub.Revalidate(), 1u);
  EXPECT_FALSE(kept->closed);
  EXPECT_TRUE(revoked->closed);
  EXPECT_FALSE(unchecked->closed);
}

// A bare-bones WebSocket client over a POSIX socket: enough to upgrade and then not read at all.
class RawClient {
 public:
  explicit RawClient(int port, int rcvbuf = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (rcvbuf) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawClient() { ::close(fd_); }
  // Sends the upgrade request; returns the response head.
  std::string Upgrade(const std::string& target) {
    const std::string req = "GET " + target +
                            " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    if (!connected_ || ::send(fd_, req.data(), req.size(), MSG_NOSIGNAL) != ssize_t(req.size())) return "";
    std::string head;
    char ch;
    while (head.find("\r\n\r\n") == std::string::npos && Wait(2000) && ::recv(fd_, &ch, 1, 0) == 1) head += ch;
    return head;
  }
  // One unmasked server frame's payload (small frames only); empty on timeout or close.
  std::string ReadFrame() {
    unsigned char h[2];
    if (!ReadExact(h, 2)) return "";
    size_t n = h[1] & 0x7f;
    if (n == 126) {
      unsigned char e[2];
      if (!ReadExact(e, 2)) return "";
      n = size_t(e[0]) << 8 | e[1];
    }
    std::string payload(n, '\0');
    if (n && !ReadExact(payload.data(), n)) return "";
    return payload;
  }
  // Whether the server closed the connection (reads and discards what is pending).
  bool ClosedByPeer(int timeout_ms) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    char buf[65536];
    while (std::chrono::steady_clock::now() < end) {
      if (!Wait(100)) continue;
      const ssize_t r = ::recv(fd_, buf, sizeof buf, 0);
      if (r <= 0) return true;
    }
    return false;
  }

 private:
  bool Wait(int ms) {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, ms) == 1;
  }
  bool ReadExact(void* out, size_t n) {
    auto* p = static_cast<char*>(out);
    while (n) {
      if (!Wait(2000)) return false;
      const ssize_t r = ::recv(fd_, p, n, 0);
      if (r <= 0) return false;
      p += r;
      n -= size_t(r);
    }
    return true;
  }
  int fd_ = -1;
  bool connected_ = false;
};

struct Opened {
  std::mutex mu;
  std::shared_ptr<StreamSink> sink;
  std::atomic<int> closes{0};
  std::shared_ptr<StreamSink> Get() {
    for (int i = 0; i < 200; ++i) {
      {
        std::lock_guard lock(mu);
        if (sink) return sink;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return nullptr;
  }
};

std::unique_ptr<Server> StartServer(Opened& opened) {
  ServerOptions options;
  options.port = 0;
  options.workers = 2;
  auto server = std::make_unique<Server>(options, [](Request&) { return Response{}; });
  server->SetUpgradeHandler([&opened](Request& req) {
    if (req.Query("token") == nullptr) {
      Response r;
      r.status = 401;
      r.body = "{}";
      return UpgradeDecision::Refuse(r);
    }
    UpgradeDecision d;
    d.accept = true;
    d.on_open = [&opened](std::shared_ptr<StreamSink> sink) {
      std::lock_guard lock(opened.mu);
      opened.sink = std::move(sink);
    };
    d.on_close = [&opened] { ++opened.closes; };
    return d;
  });
  EXPECT_TRUE(server->Start().ok());
  return server;
}

TEST(StreamServer, RefusesOrUpgradesAndSends) {
  Opened opened;
  auto server = StartServer(opened);
  RawClient refused(server->port());
  EXPECT_EQ(refused.Upgrade("/s").rfind("HTTP/1.1 401", 0), 0u);

  RawClient client(server->port());
  const auto head = client.Upgrade("/s?token=x");
  EXPECT_EQ(head.rfind("HTTP/1.1 101", 0), 0u) << head;
  EXPECT_NE(head.find("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), std::string::npos) << head;  // RFC 6455's example
  auto sink = opened.Get();
  ASSERT_TRUE(sink);
  EXPECT_TRUE(sink->Send("one"));
  EXPECT_TRUE(sink->Send("two"));
  EXPECT_EQ(client.ReadFrame(), "one");
  EXPECT_EQ(client.ReadFrame(), "two");
  sink->Close();
  EXPECT_FALSE(sink->Send("three"));
  EXPECT_EQ(client.ReadFrame().substr(0, 2), std::string("\x03\xe8", 2));  // close frame, status 1000
}

TEST(StreamServer, ClosesAClientThatDoesNotRead) {
  Opened opened;
  auto server = StartServer(opened);
  RawClient client(server->port(), 4096);
  ASSERT_EQ(client.Upgrade("/s?token=x").rfind("HTTP/1.1 101", 0), 0u);
  auto sink = opened.Get();
  ASSERT_TRUE(sink);
  const std::string big(64 << 10, 'x');
  int sent = 0;
  const auto start = std::chrono::steady_clock::now();
  while (sink->Send(big) && std::chrono::steady_clock::now() - start < std::chrono::seconds(20)) {
    ++sent;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  EXPECT_FALSE(sink->Send(big)) << "the queue should have overflowed after " << sent << " messages";
  // Kernel buffers take some, the queue at most 4 MiB more: far less than the 20 s worth of sending.
  EXPECT_LT(sent, 2000);
  for (int i = 0; i < 200 && opened.closes == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(opened.closes, 1);
  EXPECT_TRUE(client.ClosedByPeer(2000));
}

TEST(StreamServer, StopClosesStreamsPromptly) {
  Opened opened;
  auto server = StartServer(opened);
  RawClient client(server->port());
  ASSERT_EQ(client.Upgrade("/s?token=x").rfind("HTTP/1.1 101", 0), 0u);
  auto sink = opened.Get();
  ASSERT_TRUE(sink);
  const auto start = std::chrono::steady_clock::now();
  server->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(opened.closes, 1);
  EXPECT_FALSE(sink->Send("late"));
  server.reset();
  EXPECT_FALSE(sink->Send("later"));  // the sink outlives the server harmlessly
}

}  // namespace
}  // namespace civicgrid::http
