// The ledger's contract, shown with the test-only task kind (src/testing/task_kind.h) over the in-memory and
// faulty stores: what every kind gets without writing it.
#include "ledger/ledger.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <thread>

#include "ledger/timers.h"
#include "testing/faulty_item_store.h"
#include "testing/memory_item_store.h"
#include "testing/task_kind.h"

namespace civicgrid::ledger {
namespace {

using testing::Finish;
using testing::Reassign;
using testing::Task;
using testing::TaskEvent;
using testing::TaskKind;
namespace ev = testing::task_events;

struct Fixture {
  TaskKind kind;
  testing::MemoryItemStore<TaskKind> memory;
  testing::FaultyItemStore<TaskKind> store{memory};
  ManualClock clock{*ParseTime("2026-12-01T09:00:00+08:00")};
  Ledger<TaskKind> ledger{kind, store, clock, [](const Task&, TimePoint now, const Origin& o) {
                            return Result<testing::TaskContext>(testing::TaskContext{now, o.actor});
                          }};
  struct Told {
    std::optional<Task> before;
    Task after;
    std::vector<TaskEvent> events;
  };
  std::mutex mu;
  std::vector<Told> told;

  Fixture() {
    ledger.Subscribe([this](const Task* before, const Task& after, const std::vector<TaskEvent>& events) {
      std::lock_guard lock(mu);
      told.push_back({before ? std::optional<Task>(*before) : std::nullopt, after, events});
    });
  }

  Result<Ledger<TaskKind>::Created> Create(const std::string& key, const std::string& owner = "cgj",
                                           const Ledger<TaskKind>::Guard& guard = {}) {
    return ledger.Create(key, guard, [&](ItemId, TimePoint now) -> Result<std::vector<TaskEvent>> {
      TaskEvent e;
      Ledger<TaskKind>::Stamp(e, ItemId(), 0, now, Origin("town-staff", "api", "10.0.0.7"), "create");
      e.body = ev::Created{"清理河道垃圾", owner, now + days{3}};
      return std::vector{e};
    });
  }
};

TEST(Ledger, CreatesOnceForAnIdempotencyKey) {
  Fixture f;
  auto a = f.Create("key-1");
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->created);
  EXPECT_EQ(a->state.version, 1);
  EXPECT_EQ(a->state.created_by, "town-staff");
  auto b = f.Create("key-1");
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->created);
  EXPECT_EQ(b->state, a->state);
  EXPECT_EQ(f.memory.commits(), 1);
  // Someone who may not see the first item learns only that the key is taken.
  auto c = f.Create("key-1", "cgj", [](const Task&) -> Status { return NotFound("no"); });
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kConflict);
}

TEST(Ledger, EveryEventCarriesTheAuditEnvelope) {
  Fixture f;
  const auto id = f.Create("")->state.id;
  f.clock.Advance(hours{2});
  auto t = f.ledger.Act(id, Reassign{"zjj"}, Origin("dispatcher", "api", "192.0.2.1"));
  ASSERT_TRUE(t.ok());
  auto events = f.ledger.Events(id);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  const TaskEvent& first = (*events)[0];
  EXPECT_EQ((std::tuple{first.item, first.seq, first.actor, first.command, first.channel, first.address}),
            (std::tuple{id, std::int64_t{1}, std::string("town-staff"), std::string("create"), std::string("api"),
                        std::string("10.0.0.7")}));
  const TaskEvent& second = (*events)[1];
  EXPECT_EQ((std::tuple{second.seq, second.actor, second.command, second.channel, second.address}),
            (std::tuple{std::int64_t{2}, std::string("dispatcher"), std::string("reassign"), std::string("api"),
                        std::string("192.0.2.1")}));
  EXPECT_EQ(second.at, f.clock.Now());
  // Replay: the stored state is the fold of its events.
  EXPECT_EQ(f.ledger.Fold(*events), *f.ledger.Get(id));
}

TEST(Ledger, ListenersHearBeforeAfterAndEventsOfDurableChangesOnly) {
  Fixture f;
  const auto id = f.Create("")->state.id;
  ASSERT_TRUE(f.ledger.Act(id, Finish{"已清理"}, Origin("cgj")).ok());
  ASSERT_EQ(f.told.size(), 2u);
  EXPECT_FALSE(f.told[0].before);
  EXPECT_EQ(f.told[1].before->status, testing::TaskStatus::kOpen);
  EXPECT_EQ(f.told[1].after.status, testing::TaskStatus::kDone);
  ASSERT_EQ(f.told[1].events.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<ev::Done>(f.told[1].events[0].body));

  // Refused by Decide: nothing written, nobody told.
  auto again = f.ledger.Act(id, Finish{""}, Origin("cgj"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_EQ(f.told.size(), 2u);
  EXPECT_EQ(f.ledger.Get(id)->version, 2);
}

TEST(Ledger, AFailedWriteChangesNothingAndTellsNoOne) {
  Fixture f;
  const auto id = f.Create("")->state.id;
  f.store.FailCommit(1, testing::FaultyItemStore<TaskKind>::Fault::kDiskFull);
  auto r = f.ledger.Act(id, Reassign{"zjj"}, Origin("dispatcher"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(f.ledger.Get(id)->owner, "cgj");
  EXPECT_EQ(f.ledger.Events(id)->size(), 1u);
  EXPECT_EQ(f.told.size(), 1u);
  // The disk has room again: the same command goes through.
  EXPECT_TRUE(f.ledger.Act(id, Reassign{"zjj"}, Origin("dispatcher")).ok());
}

TEST(Ledger, DecidesAgainAfterLosingARace) {
  Fixture f;
  const auto id = f.Create("")->state.id;
  // Another writer reassigned it meanwhile: the ledger's first commit finds a newer version, loads again and
  // decides on what is there now.
  Task moved = *f.ledger.Get(id);
  moved.owner = "zjj";
  moved.version = 2;
  f.memory.Overwrite(moved);
  auto r = f.ledger.Act(id, Reassign{"scjgj"}, Origin("dispatcher"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->version, 3);
  EXPECT_EQ(r->owner, "scjgj");
  // A race lost five times in a row is given up with the conflict.
  f.store.FailCommit(1, testing::FaultyItemStore<TaskKind>::Fault::kLostRace, 5);
  auto lost = f.ledger.Act(id, Reassign{"cgj"}, Origin("dispatcher"));
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().field, kVersionConflict);
}

TEST(Ledger, CommandsOnOneItemAreOrdered) {
  Fixture f;
  const auto id = f.Create("")->state.id;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        auto r = f.ledger.Act(id, Reassign{"org-" + std::to_string(t) + "-" + std::to_string(i)}, Origin("x"));
        EXPECT_TRUE(r.ok());
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(f.ledger.Get(id)->version, 401);
  // Listeners heard the versions of one item in order, each once.
  std::int64_t last = 0;
  for (const auto& t : f.told) {
    EXPECT_EQ(t.after.version, last + 1);
    last = t.after.version;
  }
}

TEST(Ledger, UpdateCommitsSeveralItemsTogetherOrNotAtAll) {
  Fixture f;
  const auto a = f.Create("")->state.id;
  const auto b = f.Create("")->state.id;
  auto both = [&](std::string owner) {
    return [owner](const std::vector<const Task*>& loaded, TimePoint) -> Result<std::vector<std::vector<TaskEvent>>> {
      std::vector<std::vector<TaskEvent>> out(loaded.size());
      for (size_t i = 0; i < loaded.size(); ++i) {
        TaskEvent e;
        e.body = ev::Reassigned{owner};
        out[i].push_back(e);
      }
      return out;
    };
  };
  f.store.FailCommit(1, testing::FaultyItemStore<TaskKind>::Fault::kDiskFull);
  EXPECT_FALSE(f.ledger.Update({a, b}, Origin("x"), "reassign", both("zjj")).ok());
  EXPECT_EQ(f.ledger.Get(a)->owner, "cgj");
  EXPECT_EQ(f.ledger.Get(b)->owner, "cgj");
  auto r = f.ledger.Update({b, a}, Origin("x"), "reassign", both("zjj"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(f.ledger.Get(a)->owner, "zjj");
  EXPECT_EQ(f.ledger.Get(b)->owner, "zjj");
}

TEST(Ledger, TimersFireTheKindsTimerCommandOnce) {
  Fixture f;
  const auto id = f.Create("")->state.id;
  std::atomic<int> fired{0};
  std::mutex mu;
  std::condition_variable cv;
  TimerQueue timers(f.clock, [&](ItemId item) {
    auto t = f.ledger.FireTimers(item);
    timers.Set(item, t.ok() ? f.kind.NextTimer(*t) : std::nullopt);
    ++fired;
    cv.notify_all();
  });
  f.ledger.Subscribe([&](const Task*, const Task& after, const std::vector<TaskEvent>&) {
    timers.Set(after.id, f.kind.NextTimer(after));
  });
  timers.Set(id, f.kind.NextTimer(*f.ledger.Get(id)));
  timers.Start();
  f.clock.Advance(days{3} + minutes{1});
  timers.Poke();
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, seconds{5}, [&] { return fired.load() > 0; }));
  }
  timers.Stop();
  const Task t = *f.ledger.Get(id);
  EXPECT_TRUE(t.overdue);
  const auto events = *f.ledger.Events(id);
  EXPECT_EQ(events.back().actor, "system");
  EXPECT_EQ(events.back().channel, "timer");
  EXPECT_EQ(events.back().command, "check-deadline");
  EXPECT_FALSE(f.kind.NextTimer(t)) << "an overdue task has nothing left to fire";
  // The timer command again writes nothing.
  EXPECT_EQ(f.ledger.FireTimers(id)->version, t.version);
}

TEST(Ledger, TheKindsAccessRuleGuardsEveryCommand) {
  Fixture f;
  const auto id = f.Create("", "cgj")->state.id;
  auto as = [](std::string org, bool finishing) {
    return [org, finishing](const Task& t) { return testing::TaskGuard(t, org, finishing); };
  };
  EXPECT_EQ(f.ledger.Act(id, Finish{}, Origin("x"), as("zjj", true)).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(f.ledger.Get(id, as("zjj", false)).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(f.ledger.Act(id, Finish{}, Origin("x"), as("cgj", true)).ok());
  EXPECT_EQ(f.ledger.Act(ItemId(999), Finish{}, Origin("x")).error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace civicgrid::ledger
