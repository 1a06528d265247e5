#include "common/mutex.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace civicgrid::common {
namespace {

struct Box {
  Mutex mu;
  CondVar cv;
  int value GUARDED_BY(mu) = 0;
};

TEST(Mutex, CondVarWakesTheWaiterAndHoldsTheLockAgain) {
  Box box;
  std::thread producer([&box] {
    {
      MutexLock lock(box.mu);
      box.value = 42;
    }
    box.cv.NotifyAll();
  });
  {
    MutexLock lock(box.mu);
    while (box.value == 0) box.cv.Wait(box.mu);
    EXPECT_EQ(box.value, 42);
    box.value = 43;  // still held: the write is safe
  }
  producer.join();
  if (box.mu.TryLock()) box.mu.Unlock();
  else ADD_FAILURE() << "the waiter's lock was not released";
}

TEST(Mutex, WaitForTimesOutWithTheLockHeld) {
  Box box;
  MutexLock lock(box.mu);
  const auto start = std::chrono::steady_clock::now();
  while (box.value == 0)
    if (!box.cv.WaitFor(box.mu, std::chrono::milliseconds(20))) break;
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(20));
  box.value = 1;
}

TEST(SharedMutex, ReadersShareAndAWriterFollows) {
  SharedMutex mu;
  {
    ReaderLock a(mu);
    std::thread other([&mu] { ReaderLock b(mu); });  // would hang if readers excluded each other
    other.join();
  }
  WriterLock w(mu);  // would hang if a reader had not released it
}

}  // namespace
}  // namespace civicgrid::common
