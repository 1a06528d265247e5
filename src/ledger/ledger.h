// The ledger: one engine for every kind of item that moves through states (a case, a micro-wish, a meeting's
// task, a village proposal). A kind supplies its state, its event bodies (a std::variant), its commands, a
// pure Decide and Evolve, its next timer and its store; the ledger supplies idempotent creation, per-item
// ordering, commit through the store (which group-commits), optimistic retry, the audit trail on every
// event (who, when, which command, channel and address), timers that fire, replay, and listeners told of
// every durable change. docs/architecture.md "How to add a module" walks through a kind.
//
// What a kind K provides (an object, so it can carry configuration such as county rules):
//   types   State, Body (std::variant of event structs), Command, Context, Write (see ItemStore)
//   std::string_view Noun() const                        "case": for messages
//   ItemId IdOf(const State&) const;  std::int64_t VersionOf(const State&) const
//   std::string CommandName(const Command&) const         the action, recorded on each event
//   Result<std::vector<Event<Body>>> Decide(const State&, const Command&, const Context&) const   pure; the
//                                          ledger stamps each event's envelope (item, seq, time, origin)
//   State Evolve(State, const Event<Body>&) const                                          pure
//   void Complete(Write&) const                           fills what the store keeps beside the state
//   std::optional<TimePoint> NextTimer(const State&) const;  Command TimerCommand() const
//
// Thread-safety: every method may be called from any worker thread; they block on the store. Register
// listeners before the first command (Subscribe is not synchronised).
#pragma once

#include <algorithm>
#include <array>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/mutex.h"
#include "common/result.h"
#include "common/time.h"
#include "ledger/event.h"

namespace civicgrid::ledger {

// Fields of a kConflict error from ItemStore::Commit.
inline constexpr const char* kVersionConflict = "version";              // the item changed meanwhile
inline constexpr const char* kIdempotencyConflict = "Idempotency-Key";  // the key is taken

// One item's change as the store commits it. A kind's Write type has at least these members (it may add
// derived columns that Complete fills): State after; std::vector<Event<Body>> events; std::int64_t
// expected_version (0: a new item); std::string idempotency_key (empty: none).
template <class K>
class ItemStore {
 public:
  using State = typename K::State;
  using Event = ledger::Event<typename K::Body>;
  using Write = typename K::Write;
  virtual ~ItemStore() = default;

  virtual ItemId NextId() = 0;
  virtual Result<std::optional<State>> Load(ItemId id) = 0;
  virtual Result<std::vector<Event>> LoadEvents(ItemId id) = 0;
  virtual Result<std::optional<ItemId>> FindByIdempotencyKey(const std::string& key) = 0;
  // All writes or none, durable when it returns OK. kConflict with field kVersionConflict when an item's
  // version is no longer `expected_version`, kIdempotencyConflict when the key was used.
  virtual Status Commit(const std::vector<Write>& writes) = 0;
};

template <class K>
class Ledger {
 public:
  using State = typename K::State;
  using Body = typename K::Body;
  using Event = ledger::Event<Body>;
  using Command = typename K::Command;
  using Context = typename K::Context;
  using Write = typename K::Write;
  // Told after each durable commit, on the committing thread: `before` is null for a new item. Changes to
  // one item arrive in order; to different items, in any order. Must be quick and thread-safe.
  using Listener = std::function<void(const State* before, const State& after, const std::vector<Event>& events)>;
  // The caller's right to a loaded item: OK, or the error to answer (NotFound hides that it exists).
  using Guard = std::function<Status(const State&)>;
  // What Decide needs besides the state and the command (rules, reference data), resolved per command.
  using ContextFor = std::function<Result<Context>(const State&, TimePoint now, const Origin&)>;
  // A command over several items loaded together: each item's new events, by position (empty: unchanged).
  using MultiDecide =
      std::function<Result<std::vector<std::vector<Event>>>(const std::vector<const State*>& loaded, TimePoint now)>;
  struct Created {
    State state;
    bool created = false;  // false: a repeat of an earlier creation, answered with that item
  };

  Ledger(const K& kind, ItemStore<K>& store, const Clock& clock, ContextFor context)
      : kind_(kind), store_(store), clock_(clock), context_(std::move(context)) {}
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  void Subscribe(Listener listener) { listeners_.push_back(std::move(listener)); }

  // Creates an item: `open` returns its first events (their envelopes are the kind's: a later event may be
  // the system's, e.g. a routing rule's dispatch; the ledger numbers them). A repeat of `idempotency_key`
  // answers the earlier item, if `guard` lets the caller see it (else 409).
  Result<Created> Create(const std::string& idempotency_key, const Guard& guard,
                         const std::function<Result<std::vector<Event>>(ItemId id, TimePoint now)>& open) {
    if (!idempotency_key.empty()) {
      auto found = store_.FindByIdempotencyKey(idempotency_key);
      if (!found.ok()) return found.error();
      if (*found) return Existing(**found, guard);
    }
    const ItemId id = store_.NextId();
    auto events = open(id, clock_.Now());
    if (!events.ok()) return events.error();
    std::vector<Write> writes(1);
    Write& w = writes[0];
    w.after = State{};
    std::int64_t seq = 0;
    for (auto& e : *events) {
      e.item = id;
      e.seq = ++seq;
      w.after = kind_.Evolve(std::move(w.after), e);
    }
    w.events = std::move(events.value());
    w.expected_version = 0;
    w.idempotency_key = idempotency_key;
    kind_.Complete(w);
    common::MutexLock order(StripeOf(id));
    if (auto st = store_.Commit(writes); !st) {
      const Error& e = st.error();
      if (e.code == ErrorCode::kConflict && e.field == kIdempotencyConflict) {
        auto found = store_.FindByIdempotencyKey(idempotency_key);  // a concurrent repeat won the race
        if (found.ok() && *found) return Existing(**found, guard);
      }
      return e;
    }
    Publish(nullptr, w.after, w.events);
    return Created{std::move(w.after), true};
  }

  // One command on one item: load, guard, decide, commit, publish; decided again if another command on
  // the item committed first.
  Result<State> Act(ItemId id, const Command& command, const Origin& origin, const Guard& guard = {}) {
    auto out =
        Update({id}, origin, kind_.CommandName(command),
               [&](const std::vector<const State*>& loaded, TimePoint now) -> Result<std::vector<std::vector<Event>>> {
                 if (!loaded[0]) return NotFound(std::string(kind_.Noun()) + " " + to_string(id) + " does not exist");
                 const State& state = *loaded[0];
                 if (guard)
                   if (auto st = guard(state); !st) return st.error();
                 auto ctx = context_(state, now, origin);
                 if (!ctx.ok()) return ctx.error();
                 auto events = kind_.Decide(state, command, *ctx);
                 if (!events.ok()) return events.error();
                 return std::vector<std::vector<Event>>{std::move(events.value())};
               });
    if (!out.ok()) return out.error();
    return std::move(*out->front());
  }

  // A command over several items, committed together or not at all (a merge changes two cases). Items are
  // locked in a fixed order, so two such commands in opposite directions cannot deadlock.
  Result<std::vector<std::optional<State>>> Update(std::vector<ItemId> ids, const Origin& origin,
                                                   const std::string& command, const MultiDecide& decide) {
    StripeLocks held(*this, ids);

    for (int attempt = 0;; ++attempt) {
      std::vector<std::optional<State>> loaded;
      loaded.reserve(ids.size());
      for (ItemId id : ids) {
        auto s = store_.Load(id);
        if (!s.ok()) return s.error();
        loaded.push_back(std::move(s.value()));
      }
      std::vector<const State*> view;
      view.reserve(loaded.size());
      for (const auto& s : loaded) view.push_back(s ? &*s : nullptr);
      const TimePoint now = clock_.Now();
      auto decided = decide(view, now);
      if (!decided.ok()) return decided.error();
      if (decided->size() > ids.size()) return Internal("a decision named more items than it loaded");
      std::vector<Write> writes;
      std::vector<size_t> written;  // positions in `ids`
      for (size_t i = 0; i < decided->size(); ++i) {
        auto& events = (*decided)[i];
        if (events.empty()) continue;
        if (!loaded[i]) return Internal("a decision changed an item that does not exist");
        Write w;
        w.after = *loaded[i];
        w.expected_version = kind_.VersionOf(*loaded[i]);
        std::int64_t seq = w.expected_version;
        for (auto& e : events) {
          Stamp(e, ids[i], ++seq, now, origin, command);
          w.after = kind_.Evolve(std::move(w.after), e);
          w.events.push_back(std::move(e));
        }
        kind_.Complete(w);
        writes.push_back(std::move(w));
        written.push_back(i);
      }
      if (writes.empty()) return loaded;  // nothing to write (e.g. no timer due yet)
      auto st = store_.Commit(writes);
      if (st.ok()) {
        for (size_t k = 0; k < writes.size(); ++k) {
          const size_t i = written[k];
          Publish(&*loaded[i], writes[k].after, writes[k].events);
          loaded[i] = std::move(writes[k].after);
        }
        return loaded;
      }
      // Lost a race with another command on one of the items: decide again on the new state.
      if (st.error().code == ErrorCode::kConflict && st.error().field == kVersionConflict && attempt < 4) continue;
      return st.error();
    }
  }

  Result<State> Get(ItemId id, const Guard& guard = {}) {
    auto s = store_.Load(id);
    if (!s.ok()) return s.error();
    if (!*s) return NotFound(std::string(kind_.Noun()) + " " + to_string(id) + " does not exist");
    if (guard)
      if (auto st = guard(**s); !st) return st.error();
    return std::move(**s);
  }

  Result<std::vector<Event>> Events(ItemId id, const Guard& guard = {}) {
    if (auto s = Get(id, guard); !s.ok()) return s.error();
    return store_.LoadEvents(id);
  }

  // The timer command, as the system: writes whatever of the item's timers is due now.
  Result<State> FireTimers(ItemId id) { return Act(id, kind_.TimerCommand(), SystemOrigin("timer")); }

  // Writes an event's envelope: the ledger's word on which item, which place in its history, when and who.
  static void Stamp(Event& e, ItemId id, std::int64_t seq, TimePoint at, const Origin& origin,
                    const std::string& command) {
    e.item = id;
    e.seq = seq;
    e.at = at;
    e.actor = origin.actor;
    e.command = command;
    e.channel = origin.channel;
    e.address = origin.address;
  }

  // Replay: the state an item's events fold to (refold, and the check that a stored state is their fold).
  State Fold(const std::vector<Event>& events) const {
    State s{};
    for (const auto& e : events) s = kind_.Evolve(std::move(s), e);
    return s;
  }

 private:
  Result<Created> Existing(ItemId id, const Guard& guard) {
    auto s = store_.Load(id);
    if (!s.ok()) return s.error();
    if (!*s) return Internal(std::string(kind_.Noun()) + " " + to_string(id) + " vanished");
    // Someone else's item under the same key: say the key is taken, show nothing of it.
    if (guard && !guard(**s).ok()) return Conflict("this idempotency key was already used");
    return Created{std::move(**s), false};
  }

  void Publish(const State* before, const State& after, const std::vector<Event>& events) {
    for (const auto& l : listeners_) l(before, after, events);
  }

  // Changes to one item are committed and published in order: its stripe is held from loading to publishing.
  // They guard an order, not a member: nothing is GUARDED_BY them.
  common::Mutex& StripeOf(ItemId id) { return stripes_[static_cast<size_t>(id.value()) % stripes_.size()]; }

  // The stripes of several items, taken in address order (no deadlock between two multi-item commands) and
  // released in reverse. A set known only at run time: the analysis cannot follow it, and has nothing to check.
  class StripeLocks {
   public:
    StripeLocks(Ledger& ledger, const std::vector<ItemId>& ids) NO_THREAD_SAFETY_ANALYSIS {
      locks_.reserve(ids.size());
      for (ItemId id : ids) locks_.push_back(&ledger.StripeOf(id));
      std::sort(locks_.begin(), locks_.end());
      locks_.erase(std::unique(locks_.begin(), locks_.end()), locks_.end());
      for (auto* m : locks_) m->Lock();
    }
    ~StripeLocks() NO_THREAD_SAFETY_ANALYSIS {
      for (auto it = locks_.rbegin(); it != locks_.rend(); ++it) (*it)->Unlock();
    }
    StripeLocks(const StripeLocks&) = delete;
    StripeLocks& operator=(const StripeLocks&) = delete;

   private:
    std::vector<common::Mutex*> locks_;
  };

  const K& kind_;
  ItemStore<K>& store_;
  const Clock& clock_;
  ContextFor context_;
  std::vector<Listener> listeners_;
  std::array<common::Mutex, 256> stripes_;
};

}  // namespace civicgrid::ledger
