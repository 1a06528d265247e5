// Bounds the password hashes computed at once. An Argon2id hash (libsodium's interactive limits) takes
// 64 MiB for about 85 ms: 48 logins at once took the server from 152 MiB to 2.45 GiB (issue 17). Behind the
// gate, hashing memory stays under `concurrent` × 64 MiB whatever arrives; a caller waits in a short queue
// and past it (queue full, or its wait over) gets 503 with Retry-After. Thread-safe.
#pragma once

#include <chrono>

#include "common/mutex.h"
#include "common/result.h"

namespace civicgrid::access {

struct HashLimits {
  int concurrent = 2;                               // hashes at once (each 64 MiB)
  int queued = 32;                                  // callers waiting for a slot; more are refused at once
  std::chrono::milliseconds wait{5000};             // how long one waits for a slot
  static constexpr size_t kHashMemory = 64u << 20;  // crypto_pwhash_MEMLIMIT_INTERACTIVE
};

class HashGate {
 public:
  explicit HashGate(HashLimits limits);

  // Holds a slot until released or destroyed.
  class Slot {
   public:
    Slot() = default;
    explicit Slot(HashGate* gate) : gate_(gate) {}
    Slot(Slot&& o) noexcept : gate_(o.gate_) { o.gate_ = nullptr; }
    Slot& operator=(Slot&&) = delete;
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot() { Release(); }
    void Release() {
      if (gate_) gate_->Leave();
      gate_ = nullptr;
    }

   private:
    HashGate* gate_ = nullptr;
  };

  // A slot, or kUnavailable (retry_after set) when the queue is full or the wait ran out.
  Result<Slot> Enter() EXCLUDES(mu_);
  const HashLimits& limits() const { return limits_; }
  int peak() const EXCLUDES(mu_);     // the most slots ever held at once (tests, metrics)
  int waiting() const EXCLUDES(mu_);  // callers in the queue now

 private:
  void Leave() EXCLUDES(mu_);

  const HashLimits limits_;
  mutable common::Mutex mu_;
  common::CondVar cv_;
  int running_ GUARDED_BY(mu_) = 0;
  int waiting_ GUARDED_BY(mu_) = 0;
  int peak_ GUARDED_BY(mu_) = 0;
};

}  // namespace civicgrid::access
