// An in-memory ItemStore for any kind on the ledger (tests): the same contract as a real store — atomic
// multi-item commits, version checks, idempotency keys — without a database. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ledger/ledger.h"

namespace civicgrid::testing {

template <class K>
class MemoryItemStore : public ledger::ItemStore<K> {
 public:
  using State = typename K::State;
  using Event = ledger::Event<typename K::Body>;
  using Write = typename K::Write;

  ledger::ItemId NextId() override {
    std::lock_guard lock(mu_);
    return ledger::ItemId(next_id_++);
  }
  Result<std::optional<State>> Load(ledger::ItemId id) override {
    std::lock_guard lock(mu_);
    auto it = items_.find(id);
    if (it == items_.end()) return std::optional<State>();
    return std::optional<State>(it->second.state);
  }
  Result<std::vector<Event>> LoadEvents(ledger::ItemId id) override {
    std::lock_guard lock(mu_);
    auto it = items_.find(id);
    if (it == items_.end()) return std::vector<Event>();
    return it->second.events;
  }
  Result<std::optional<ledger::ItemId>> FindByIdempotencyKey(const std::string& key) override {
    std::lock_guard lock(mu_);
    auto it = keys_.find(key);
    if (it == keys_.end()) return std::optional<ledger::ItemId>();
    return std::optional<ledger::ItemId>(it->second);
  }
  Status Commit(const std::vector<Write>& writes) override {
    std::lock_guard lock(mu_);
    // Check everything first: all or nothing.
    for (const auto& w : writes) {
      const auto id = kind_.IdOf(w.after);
      auto it = items_.find(id);
      const std::int64_t current = it == items_.end() ? 0 : kind_.VersionOf(it->second.state);
      if (current != w.expected_version)
        return Error{ErrorCode::kConflict, "the item changed meanwhile", ledger::kVersionConflict, {}};
      if (!w.idempotency_key.empty() && keys_.count(w.idempotency_key))
        return Error{ErrorCode::kConflict, "the key was used", ledger::kIdempotencyConflict, {}};
    }
    for (const auto& w : writes) {
      auto& item = items_[kind_.IdOf(w.after)];
      item.state = w.after;
      item.events.insert(item.events.end(), w.events.begin(), w.events.end());
      if (!w.idempotency_key.empty()) keys_[w.idempotency_key] = kind_.IdOf(w.after);
      ++commits_;
    }
    return OkStatus();
  }

  // Writes a state behind the ledger's back (a concurrent writer elsewhere), for race tests.
  void Overwrite(const State& state) {
    std::lock_guard lock(mu_);
    items_[kind_.IdOf(state)].state = state;
  }
  int commits() const {
    std::lock_guard lock(mu_);
    return commits_;
  }

 private:
  struct Item {
    State state;
    std::vector<Event> events;
  };
  K kind_{};
  mutable std::mutex mu_;
  std::int64_t next_id_ = 1;              // guarded by mu_
  std::map<ledger::ItemId, Item> items_;  // guarded by mu_
  std::map<std::string, ledger::ItemId> keys_;
  int commits_ = 0;
};

}  // namespace civicgrid::testing
