#include "ledger/timers.h"

#include <algorithm>

namespace civicgrid::ledger {

TimerQueue::TimerQueue(const Clock& clock, Fire fire, int threads, milliseconds retry)
    : clock_(clock), fire_(std::move(fire)), threads_(std::max(1, threads)), retry_(retry) {}

TimerQueue::~TimerQueue() { Stop(); }

void TimerQueue::Set(ItemId id, std::optional<TimePoint> at) {
  bool wake = false;
  {
    common::MutexLock lock(mu_);
    if (auto it = at_.find(id); it != at_.end()) {
      queue_.erase({it->second, id});
      at_.erase(it);
    }
    if (at) {
      wake = queue_.empty() || *at < queue_.begin()->first;
      queue_.insert({*at, id});
      at_[id] = *at;
    }
  }
  if (wake) timer_cv_.NotifyOne();
}

void TimerQueue::Start() {
  common::MutexLock lock(mu_);
  if (timer_.joinable()) return;
  stopping_ = false;
  timer_ = std::thread([this] { TimerLoop(); });
  for (int i = 0; i < threads_; ++i) firers_.emplace_back([this] { FireLoop(); });
}

void TimerQueue::Stop() {
  {
    common::MutexLock lock(mu_);
    stopping_ = true;
  }
  timer_cv_.NotifyAll();
  fire_cv_.NotifyAll();
  if (timer_.joinable()) timer_.join();
  for (auto& t : firers_) t.join();
  firers_.clear();
}

void TimerQueue::Poke() { timer_cv_.NotifyAll(); }

size_t TimerQueue::pending() const {
  common::MutexLock lock(mu_);
  return queue_.size();
}

std::optional<TimePoint> TimerQueue::NextOf(ItemId id) const {
  common::MutexLock lock(mu_);
  auto it = at_.find(id);
  if (it == at_.end()) return std::nullopt;
  return it->second;
}

void TimerQueue::TimerLoop() {
  common::MutexLock lock(mu_);
  while (!stopping_) {
    const TimePoint now = clock_.Now();
    bool handed = false;
    while (!queue_.empty() && queue_.begin()->first <= now) {
      const auto id = queue_.begin()->second;
      queue_.erase(queue_.begin());
      // Until the fire's own change reschedules it, assume it failed: a retry is already booked.
      const TimePoint retry_at = now + retry_;
      queue_.insert({retry_at, id});
      at_[id] = retry_at;
      if (!firing_.count(id)) {
        due_.push_back(id);
        firing_.insert(id);
        handed = true;
      } else {
        again_.insert(id);  // fell due again while its fire runs: fire once more right after it
      }
    }
    if (handed) fire_cv_.NotifyAll();
    // Sleep until the next alert, but look at the clock at least every 200 ms: the clock may be a test's
    // manual clock, and wall-clock jumps should not delay an alert by more than that.
    milliseconds wait{200};
    if (!queue_.empty())
      wait = std::clamp(std::chrono::duration_cast<milliseconds>(queue_.begin()->first - now), milliseconds{1},
                        milliseconds{200});
    timer_cv_.WaitFor(mu_, wait);
  }
}

void TimerQueue::FireLoop() {
  for (;;) {
    ItemId id;
    {
      common::MutexLock lock(mu_);
      while (!stopping_ && due_.empty()) fire_cv_.Wait(mu_);
      if (stopping_) return;
      id = due_.back();
      due_.pop_back();
    }
    fire_(id);  // without the lock: it commits, and its listeners call Set
    common::MutexLock lock(mu_);
    // Fell due again while firing: this thread fires it once more (it stays marked firing meanwhile).
    if (again_.erase(id) && !stopping_) due_.push_back(id);
    else firing_.erase(id);
  }
}

}  // namespace civicgrid::ledger
