#include "http/rate_limit.h"

#include <algorithm>
#include <cmath>

namespace civicgrid::http {

RateLimiter::RateLimiter(double rate, double burst, size_t max_keys)
    : rate_(rate), burst_(std::max(burst, 1.0)), max_keys_(max_keys) {}

int RateLimiter::Take(const std::string& key, std::chrono::steady_clock::time_point now) {
  if (rate_ <= 0) return 0;
  common::MutexLock lock(mu_);
  if (buckets_.size() >= max_keys_) {
    // Forget buckets that have refilled anyway: they hold no information.
    for (auto it = buckets_.begin(); it != buckets_.end();) {
      const double age = std::chrono::duration<double>(now - it->second.at).count();
      it = it->second.tokens + age * rate_ >= burst_ ? buckets_.erase(it) : std::next(it);
    }
    if (buckets_.size() >= max_keys_) buckets_.clear();  // under a flood of distinct keys, start afresh
  }
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{burst_, now});
  Bucket& b = it->second;
  if (!fresh) {
    const double elapsed = std::chrono::duration<double>(now - b.at).count();
    b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
    b.at = now;
  }
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return 0;
  }
  return std::max(1, int(std::ceil((1 - b.tokens) / rate_)));
}

}  // namespace civicgrid::http
