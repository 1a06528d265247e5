// The deadline scheduler (M11/M12 "deadlines that fire"): holds, for every case with a pending alert, the time
// of its next one, and fires each within a second of its time. Fed by committed changes (it never polls the
// store); at start it is loaded from the open cases, so alerts that fell due while the server was down fire
// at once — and once, because each alert is recorded in the case's timers when it fires.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/time.h"
#include "domain/cases/case.h"
#include "reference/types.h"

namespace civicgrid::cases {

class DeadlineScheduler {
 public:
  // `fire` runs on one of `threads` firing threads; it writes the case's due alerts and, through the
  // service's listeners, calls Set with the case's next alert. A failed fire is retried after `retry`.
  using Fire = std::function<void(cases::CaseId)>;
  DeadlineScheduler(const Clock& clock, Fire fire, int threads = 2, milliseconds retry = milliseconds{5000});
  ~DeadlineScheduler();

  // The case's next alert (none: forget the case). Thread-safe; cheap.
  void Set(cases::CaseId id, std::optional<TimePoint> at);
  void Start();
  void Stop();
  // Wakes the timer thread to look at the clock again (a test's manual clock moved).
  void Poke();
  size_t pending() const;
  std::optional<TimePoint> NextOf(cases::CaseId id) const;

 private:
  void TimerLoop();
  void FireLoop();

  const Clock& clock_;
  Fire fire_;
  int threads_;
  milliseconds retry_;
  mutable std::mutex mu_;
  std::condition_variable timer_cv_, fire_cv_;
  std::set<std::pair<TimePoint, cases::CaseId>> queue_;        // GUARDED_BY(mu_)
  std::unordered_map<cases::CaseId, TimePoint> at_;            // GUARDED_BY(mu_)
  std::vector<cases::CaseId> due_;                             // GUARDED_BY(mu_): handed to firing threads
  std::set<cases::CaseId> firing_;                             // GUARDED_BY(mu_)
  bool stopping_ = false;
  std::thread timer_;
  std::vector<std::thread> firers_;
};

}  // namespace civicgrid::cases
