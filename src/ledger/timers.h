// Timers that fire (M11/M12 "deadlines that fire"), for any kind on the ledger: holds, for every item with a
// pending timer, the time of its next one, and fires each within a second of its time. Fed by committed
// changes (it never polls the store); at start it is loaded from the store, so timers that fell due while the
// server was down fire at once — and once, because the kind records each fired timer in the item's state.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/mutex.h"
#include "common/time.h"
#include "ledger/event.h"

namespace civicgrid::ledger {

class TimerQueue {
 public:
  // `fire` runs on one of `threads` firing threads; it writes the item's due timers (the kind's timer command) and,
  // through the service's listeners, calls Set with the item's next timer. A failed fire is retried after `retry`.
  using Fire = std::function<void(ItemId)>;
  TimerQueue(const Clock& clock, Fire fire, int threads = 2, milliseconds retry = milliseconds{5000});
  ~TimerQueue();

  // The item's next timer (none: forget the item). Thread-safe; cheap.
  void Set(ItemId id, std::optional<TimePoint> at) EXCLUDES(mu_);
  void Start() EXCLUDES(mu_);
  void Stop() EXCLUDES(mu_);
  // Wakes the timer thread to look at the clock again (a test's manual clock moved).
  void Poke();
  size_t pending() const EXCLUDES(mu_);
  std::optional<TimePoint> NextOf(ItemId id) const EXCLUDES(mu_);

 private:
  void TimerLoop() EXCLUDES(mu_);
  void FireLoop() EXCLUDES(mu_);

  const Clock& clock_;
  Fire fire_;
  int threads_;
  milliseconds retry_;
  mutable common::Mutex mu_;
  common::CondVar timer_cv_, fire_cv_;
  std::set<std::pair<TimePoint, ItemId>> queue_ GUARDED_BY(mu_);
  std::unordered_map<ItemId, TimePoint> at_ GUARDED_BY(mu_);
  std::vector<ItemId> due_ GUARDED_BY(mu_);  // handed to firing threads
  std::set<ItemId> firing_ GUARDED_BY(mu_);
  std::set<ItemId> again_ GUARDED_BY(mu_);  // due again while firing
  bool stopping_ GUARDED_BY(mu_) = false;
  // Started and joined by the owner's Start and Stop (one thread).
  std::thread timer_;
  std::vector<std::thread> firers_;
};

}  // namespace civicgrid::ledger
