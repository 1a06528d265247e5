// Time as a value: UTC instants in milliseconds. Asia/Shanghai has kept UTC+8 without daylight saving since
// 1991, so local civil time is a fixed offset; the calendar module builds working time on top of this.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace civicgrid {

using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

inline constexpr std::chrono::minutes kShanghaiOffset{8 * 60};

inline std::int64_t ToMillis(TimePoint t) { return t.time_since_epoch().count(); }
inline TimePoint FromMillis(std::int64_t ms) { return TimePoint{milliseconds{ms}}; }

// RFC 3339 in Asia/Shanghai local time with its offset, e.g. "2026-11-24T09:30:00.000+08:00".
std::string FormatTime(TimePoint t);
// Accepts RFC 3339 with "Z" or a ±hh:mm offset, optional fraction; also a bare date (taken as 00:00 +08:00).
std::optional<TimePoint> ParseTime(std::string_view text);

// The clock comes in through this interface, so tests can move time (fake in src/testing).
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override {
    return std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now());
  }
};

// A clock that moves only when told: tests, and the demo generator replaying a year of history.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start) : now_(start) {}
  TimePoint Now() const override { return now_.load(); }
  void Set(TimePoint t) { now_.store(t); }
  void Advance(milliseconds d) { now_.store(now_.load() + d); }

 private:
  std::atomic<TimePoint> now_;
};

}  // namespace civicgrid
