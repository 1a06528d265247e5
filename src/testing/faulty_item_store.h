// A store that fails on purpose (LevelDB's fault-injection idea): wraps any ItemStore and makes the N-th
// commit fail as a full disk would (kUnavailable, nothing written), or lose a race (kConflict on the
// version). Tests use it to prove that a failed write changes nothing and tells no listener.
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "ledger/ledger.h"

namespace civicgrid::testing {

template <class K>
class FaultyItemStore : public ledger::ItemStore<K> {
 public:
  using State = typename K::State;
  using Event = ledger::Event<typename K::Body>;
  using Write = typename K::Write;
  enum class Fault { kDiskFull, kLostRace };

  explicit FaultyItemStore(ledger::ItemStore<K>& inner) : inner_(inner) {}

  // The n-th commit from now (1: the next one) fails with `fault`, `times` times in a row.
  void FailCommit(int n, Fault fault, int times = 1) {
    fail_at_ = commits_.load() + n;
    fault_ = fault;
    times_ = times;
  }

  ledger::ItemId NextId() override { return inner_.NextId(); }
  Result<std::optional<State>> Load(ledger::ItemId id) override { return inner_.Load(id); }
  Result<std::vector<Event>> LoadEvents(ledger::ItemId id) override { return inner_.LoadEvents(id); }
  Result<std::optional<ledger::ItemId>> FindByIdempotencyKey(const std::string& key) override {
    return inner_.FindByIdempotencyKey(key);
  }
  Status Commit(const std::vector<Write>& writes) override {
    const int n = ++commits_;
    if (n >= fail_at_ && n < fail_at_ + times_) {
      if (fault_ == Fault::kDiskFull) return Error{ErrorCode::kUnavailable, "database or disk is full", {}, {}};
      return Error{ErrorCode::kConflict, "the item changed meanwhile", ledger::kVersionConflict, {}};
    }
    return inner_.Commit(writes);
  }

 private:
  ledger::ItemStore<K>& inner_;
  std::atomic<int> commits_{0};
  std::atomic<int> fail_at_{0};
  std::atomic<int> times_{0};
  std::atomic<Fault> fault_{Fault::kDiskFull};
};

}  // namespace civicgrid::testing
