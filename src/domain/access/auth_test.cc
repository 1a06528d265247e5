// The password rules and the hash gate (issue 17, items 5 and 10). The login paths over a real store are
// tested in store/sqlite/access_store_test.cc.
#include "domain/access/auth.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace civicgrid::access {
namespace {

TEST(PasswordRules, CountCharactersNotBytes) {
  // 14 bytes, 6 characters: passed the 12-character rule when bytes were counted.
  auto st = CheckPasswordRules("啊啊啊啊A1");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().field, "password");
  EXPECT_NE(st.error().message.find("12 characters"), std::string::npos);
  EXPECT_FALSE(CheckPasswordRules("密码密码密码密码A1a").ok());    // 11 characters
  EXPECT_TRUE(CheckPasswordRules("密码密码密码密码密码A1").ok());  // 12: Chinese counts as "symbols"
  EXPECT_TRUE(CheckPasswordRules("Some-Password-123").ok());
  EXPECT_FALSE(CheckPasswordRules("\xC0\xAF\xC0\xAF\xC0\xAF\xC0\xAF"
                                  "Aa1-")
                   .ok());  // ill-formed UTF-8
}

TEST(HashGate, NeverMoreThanTheLimitAtOnce) {
  HashGate gate({2, 64, std::chrono::milliseconds(5000)});
  std::atomic<int> inside{0}, most{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i)
    threads.emplace_back([&] {
      auto slot = gate.Enter();
      ASSERT_TRUE(slot.ok());
      const int now = ++inside;
      int seen = most.load();
      while (now > seen && !most.compare_exchange_weak(seen, now)) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      --inside;
    });
  for (auto& t : threads) t.join();
  EXPECT_LE(most.load(), 2);
  EXPECT_EQ(gate.peak(), 2);
}

TEST(HashGate, PastTheQueueOrTheWaitIsUnavailableWithRetryAfter) {
  HashGate gate({1, 1, std::chrono::milliseconds(300)});
  auto held = gate.Enter();
  ASSERT_TRUE(held.ok());
  // One may wait; it times out after 300 ms. While it waits, a third is refused at once (queue full).
  std::thread waiter([&] {
    auto r = gate.Enter();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  });
  while (gate.waiting() == 0) std::this_thread::yield();
  const auto started = std::chrono::steady_clock::now();
  auto refused = gate.Enter();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
  EXPECT_GE(refused.error().retry_after, 1);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(250));
  waiter.join();
  held->Release();
  EXPECT_TRUE(gate.Enter().ok());  // the slot came back
}

}  // namespace
}  // namespace civicgrid::access
