// Must NOT compile under `clang++ -Wthread-safety -Werror`: check_thread_safety.py expects an error on
// each line marked EXPECT-ERROR, and none elsewhere (the correct uses below must stay clean).
#include "common/mutex.h"

namespace civicgrid::common {
namespace {

class Canary {
 public:
  int Unlocked() { return n_; }  // EXPECT-ERROR
  int Locked() {
    MutexLock lock(mu_);
    return n_;
  }
  void WriteUnderReader() {
    ReaderLock lock(smu_);
    m_ = 1;  // EXPECT-ERROR
  }
  int ReadUnderReader() const {
    ReaderLock lock(smu_);
    return m_;
  }
  void WaitUnlocked() { cv_.Wait(mu_); }  // EXPECT-ERROR
  void WaitLocked() {
    MutexLock lock(mu_);
    while (n_ == 0) cv_.Wait(mu_);
  }
  void NeedsLock() REQUIRES(mu_) { ++n_; }
  void CallsUnlocked() { NeedsLock(); }  // EXPECT-ERROR

 private:
  Mutex mu_;
  CondVar cv_;
  int n_ GUARDED_BY(mu_) = 0;
  mutable SharedMutex smu_;
  int m_ GUARDED_BY(smu_) = 0;
};

}  // namespace
}  // namespace civicgrid::common
