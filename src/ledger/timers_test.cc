#include "ledger/timers.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace civicgrid::ledger {
namespace {

struct Recorder {
  std::mutex mu;
  std::vector<ItemId> fired;
  size_t count() {
    std::lock_guard lock(mu);
    return fired.size();
  }
};

bool WaitFor(const std::function<bool()>& ok, milliseconds limit = milliseconds{2000}) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (ok()) return true;
    std::this_thread::sleep_for(milliseconds{5});
  }
  return ok();
}

TEST(TimerQueue, FiresWhatIsDueInOrderAndNothingEarly) {
  ManualClock clock(*ParseTime("2026-11-24T09:00:00+08:00"));
  Recorder rec;
  TimerQueue* self = nullptr;
  TimerQueue s(
      clock,
      [&](ItemId id) {
        std::lock_guard lock(rec.mu);
        rec.fired.push_back(id);
        self->Set(id, std::nullopt);  // what the service's listener does after the alert's commit
      },
      1);
  self = &s;
  const TimePoint t0 = clock.Now();
  s.Set(ItemId(1), t0 + std::chrono::minutes(10));
  s.Set(ItemId(2), t0 + std::chrono::minutes(5));
  s.Set(ItemId(3), t0 - std::chrono::minutes(1));  // fell due while the server was down
  s.Start();
  ASSERT_TRUE(WaitFor([&] { return rec.count() == 1; }));
  std::this_thread::sleep_for(milliseconds{300});
  EXPECT_EQ(rec.count(), 1u) << "nothing before its time";
  clock.Advance(std::chrono::minutes(6));
  s.Poke();
  ASSERT_TRUE(WaitFor([&] { return rec.count() == 2; }));
  clock.Advance(std::chrono::minutes(6));
  ASSERT_TRUE(WaitFor([&] { return rec.count() == 3; }, milliseconds{1000})) << "within a second, unpoked";
  EXPECT_EQ(rec.fired, (std::vector<ItemId>{ItemId(3), ItemId(2), ItemId(1)}));
  EXPECT_EQ(s.pending(), 0u);
  s.Stop();
}

TEST(TimerQueue, RescheduleAndForget) {
  ManualClock clock(*ParseTime("2026-11-24T09:00:00+08:00"));
  std::atomic<int> fired{0};
  TimerQueue s(
      clock, [&](ItemId) { ++fired; }, 2);
  const TimePoint t0 = clock.Now();
  s.Set(ItemId(1), t0 + std::chrono::minutes(1));
  s.Set(ItemId(1), t0 + std::chrono::hours(1));  // the deadline moved
  s.Set(ItemId(2), t0 + std::chrono::minutes(1));
  s.Set(ItemId(2), std::nullopt);  // the case closed
  EXPECT_EQ(s.pending(), 1u);
  EXPECT_EQ(s.NextOf(ItemId(1)), t0 + std::chrono::hours(1));
  s.Start();
  clock.Advance(std::chrono::minutes(2));
  s.Poke();
  std::this_thread::sleep_for(milliseconds{300});
  EXPECT_EQ(fired.load(), 0);
  s.Stop();
}

TEST(TimerQueue, AFailedFireIsRetried) {
  ManualClock clock(*ParseTime("2026-11-24T09:00:00+08:00"));
  std::atomic<int> fired{0};
  TimerQueue s(
      clock, [&](ItemId) { ++fired; }, 1, milliseconds{1000});
  s.Set(ItemId(1), clock.Now());
  s.Start();
  ASSERT_TRUE(WaitFor([&] { return fired.load() == 1; }));
  clock.Advance(std::chrono::seconds(2));  // the fire did not reschedule: the booked retry comes due
  ASSERT_TRUE(WaitFor([&] { return fired.load() == 2; }));
  s.Stop();
}

// An item whose next timer is already due when its fire commits (a jumping clock, or two stages due at once)
// fires again right after, not after the retry delay.
TEST(TimerQueue, FiresAgainAtOnceWhenDueAgainWhileFiring) {
  ManualClock clock(*ParseTime("2026-11-24T09:00:00+08:00"));
  std::atomic<int> fires{0};
  TimerQueue* self = nullptr;
  TimerQueue q(
      clock,
      [&](ItemId id) {
        const int n = ++fires;
        // The first fire's commit reschedules the item at a time the clock has already passed.
        self->Set(id, n == 1 ? std::optional<TimePoint>(clock.Now()) : std::nullopt);
        if (n == 1) std::this_thread::sleep_for(milliseconds{300});  // the timer thread sees it due meanwhile
      },
      1, milliseconds{60'000});
  self = &q;
  q.Set(ItemId(7), clock.Now());
  q.Start();
  EXPECT_TRUE(WaitFor([&] { return fires.load() == 2; }));
  q.Stop();
  EXPECT_EQ(fires.load(), 2);
}

}  // namespace
}  // namespace civicgrid::ledger
