// The leaders' cockpit: incremental in-memory aggregates of the cases, kept current by every committed change
// so a summary of any region and period is read from counters instead of scanning 10 M rows.
//
// The definitions, in one place (the docs quote them). All period counts are keyed by the Asia/Shanghai local
// date of created_at (a case counts in the period it was taken in, with its state now):
//   intake: cases taken in (created) in the period; valid: those not invalid or merged;
//   reached: cases that reached a handler (dispatched_at or accepted_at set); responded: accepted_at set and
//   accept_by set and accepted_at <= accept_by; resolved: resolved_at set or status closed (among valid);
//   rated / satisfied: ratings given, counting the first reporter's `rating` and every joined reporter's
//   rating; satisfied = satisfied or basically_satisfied.
//   response = responded / reached; resolution = resolved / valid; satisfaction = satisfied / rated
//   (nullopt when the denominator is 0).
//   open = cases::IsOpen; overdue = LightOf == kRed; yellow = LightOf == kYellow (current state, not per
//   period).
// reached, responded and rated count every case taken in (invalid and merged ones too); only resolved is
// restricted to valid cases, so that resolution never exceeds 1.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/mutex.h"
#include "common/time.h"

namespace civicgrid::cases {
struct Case;
struct CaseDigest;
}  // namespace civicgrid::cases

namespace civicgrid::cockpit {

struct Rates {
  std::optional<double> response, resolution, satisfaction;
  bool operator==(const Rates&) const = default;
};

struct Counts {  // for a period
  std::int64_t intake = 0, valid = 0, reached = 0, responded = 0, resolved = 0, rated = 0, satisfied = 0;
  bool operator==(const Counts&) const = default;
};

Rates RatesOf(const Counts& c);

struct RankRow {
  std::string code;
  Counts counts;
  Rates rates;
  std::int64_t open = 0, overdue = 0;  // now
  bool operator==(const RankRow&) const = default;
};

struct Summary {
  Counts counts;
  Rates rates;
  std::int64_t open = 0, overdue = 0, yellow = 0;                 // now, not per period
  std::vector<std::pair<std::string, std::int64_t>> by_channel;   // intake in the period, count desc then code
  std::vector<std::pair<std::string, std::int64_t>> by_category;  // intake per level-1 class, same order
  std::vector<std::pair<std::string, std::int64_t>> by_day;       // "YYYY-MM-DD" ascending, days with intake only
  // The next level of regions under the queried one (for the root: the first path segment), and the current
  // handling organisations (non-empty `org`) of the cases in the region. A row is listed when it has intake in
  // the period or open or overdue cases now. Sorted by resolution desc, satisfaction desc (nullopt last),
  // then code.
  std::vector<RankRow> children;
  std::vector<RankRow> orgs;
  bool operator==(const Summary&) const = default;
};

struct Query {
  std::string region;  // a region code; "" = all
  // [from, to): the local days whose start (00:00 Asia/Shanghai) lies in it. Default-constructed: no days.
  TimePoint from{}, to{};
};

// The category's level-1 class: its first 2 characters (every level-1 code in data/categories.csv is 2
// characters and every code starts with its parent's).
std::string_view CategoryClass(std::string_view category);

class Aggregates {
 public:
  Aggregates();
  ~Aggregates();
  Aggregates(const Aggregates&) = delete;
  Aggregates& operator=(const Aggregates&) = delete;

  // A committed change: subtract before's contribution (null: new case), add after's. `before` must be the
  // version last applied for that case. Thread-safe. Pure add/subtract of contributions, so changes commute.
  // A created_at outside 1900–2199 counts on the nearest end of that range.
  void Apply(const cases::Case* before, const cases::Case& after) EXCLUDES(mu_);
  // A case as the store's digest gives it at start-up (its tally is cases::Pack(TallyOf(case))): the same
  // contribution as Apply(nullptr, case), without decoding the case.
  void Load(const cases::CaseDigest& digest) EXCLUDES(mu_);
  // Thread-safe, concurrent with Apply.
  Summary Summarize(const Query& q) const EXCLUDES(mu_);
  // Grows with every Apply (the live stream sends updates when it moves).
  std::uint64_t changes() const { return changes_.load(std::memory_order_acquire); }

 private:
  struct State;
  // Writers (Apply, Load) hold mu_ exclusively, Summarize shares it; the State itself has no lock.
  mutable common::SharedMutex mu_;
  std::unique_ptr<State> state_ PT_GUARDED_BY(mu_);
  std::atomic<std::uint64_t> changes_{0};
};

}  // namespace civicgrid::cockpit
