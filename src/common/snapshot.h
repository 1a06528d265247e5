// A value that is replaced whole, never changed in place (the reference directory, the routing table):
// readers take the current version and keep it as long as they need, without waiting for a writer; a writer
// builds the next version aside and swaps it in. Any thread.
#pragma once

#include <memory>
#include <utility>

#include "common/mutex.h"

namespace civicgrid::common {

template <class T>
class Snapshot {
 public:
  explicit Snapshot(std::shared_ptr<const T> initial = nullptr) : current_(std::move(initial)) {}

  std::shared_ptr<const T> Get() const EXCLUDES(mu_) {
    MutexLock lock(mu_);
    return current_;
  }
  void Set(std::shared_ptr<const T> next) EXCLUDES(mu_) {
    MutexLock lock(mu_);
    current_ = std::move(next);
  }

 private:
  mutable Mutex mu_;
  std::shared_ptr<const T> current_ GUARDED_BY(mu_);
};

}  // namespace civicgrid::common
