#include "domain/access/hash_gate.h"

#include <algorithm>
#include <cmath>

namespace civicgrid::access {

HashGate::HashGate(HashLimits limits) : limits_(limits) {}

Result<HashGate::Slot> HashGate::Enter() {
  const auto deadline = std::chrono::steady_clock::now() + limits_.wait;
  // Retry-After: the time the queue ahead takes to drain, at least a second.
  const int retry_after = std::max(1, int(std::ceil(double(limits_.queued) / std::max(1, limits_.concurrent) * 0.1)));
  Error busy{ErrorCode::kUnavailable, "too many logins at once: try again shortly", {}, {}, retry_after};
  common::MutexLock lock(mu_);
  if (running_ >= limits_.concurrent) {
    if (waiting_ >= limits_.queued) return busy;
    ++waiting_;
    bool timed_out = false;
    while (running_ >= limits_.concurrent && !timed_out) timed_out = !cv_.WaitUntil(mu_, deadline);
    --waiting_;
    if (running_ >= limits_.concurrent) return busy;
  }
  ++running_;
  peak_ = std::max(peak_, running_);
  return Slot(this);
}

void HashGate::Leave() {
  {
    common::MutexLock lock(mu_);
    --running_;
  }
  cv_.NotifyOne();
}

int HashGate::waiting() const {
  common::MutexLock lock(mu_);
  return waiting_;
}

int HashGate::peak() const {
  common::MutexLock lock(mu_);
  return peak_;
}

}  // namespace civicgrid::access
