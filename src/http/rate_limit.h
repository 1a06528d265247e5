// Token buckets keyed by caller (an address, a login, a key): a sustained rate with a burst. Thread-safe;
// memory is bounded by forgetting idle buckets. Time comes in as a value, so tests need no clock.
#pragma once

#include <chrono>
#include <string>
#include <unordered_map>

#include "common/mutex.h"

namespace civicgrid::http {

class RateLimiter {
 public:
  // rate_per_second <= 0 disables the limiter (every call is allowed).
  RateLimiter(double rate_per_second, double burst, size_t max_keys = 100000);
  // Takes one token for `key`. Returns 0 when allowed, else the seconds to wait (for Retry-After).
  int Take(const std::string& key, std::chrono::steady_clock::time_point now) EXCLUDES(mu_);

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point at;
  };
  const double rate_, burst_;
  const size_t max_keys_;
  common::Mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_ GUARDED_BY(mu_);
};

}  // namespace civicgrid::http
