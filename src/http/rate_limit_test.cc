#include "http/rate_limit.h"

#include <gtest/gtest.h>

namespace civicgrid::http {
namespace {

TEST(RateLimiter, BurstThenRateThenRetryAfter) {
  RateLimiter limiter(1.0, 3);
  const auto t0 = std::chrono::steady_clock::time_point{};
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Take("a", t0), 0);
  EXPECT_GE(limiter.Take("a", t0), 1);
  EXPECT_EQ(limiter.Take("b", t0), 0);  // another caller has its own bucket
  EXPECT_EQ(limiter.Take("a", t0 + std::chrono::milliseconds(1100)), 0);
  EXPECT_GE(limiter.Take("a", t0 + std::chrono::milliseconds(1200)), 1);
}

TEST(RateLimiter, DisabledAndBounded) {
  RateLimiter off(0, 1);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(off.Take("x", {}), 0);
  RateLimiter small(1, 1, 10);
  for (int i = 0; i < 1000; ++i) small.Take(std::to_string(i), {});
  EXPECT_EQ(small.Take("new", {}), 0);
}

}  // namespace
}  // namespace civicgrid::http
