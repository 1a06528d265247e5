// A second kind on the ledger, for tests only: a task with an owner and a deadline (the shape of a joint
// meeting's decision, M2). It proves that the ledger is generic — it was written without touching
// src/ledger — and docs/architecture.md "How to add a module" walks through it.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "ledger/event.h"

namespace civicgrid::testing {

enum class TaskStatus { kOpen, kDone };

struct Task {
  ledger::ItemId id;
  std::int64_t version = 0;
  std::string title;
  std::string owner;  // the organisation that must do it
  TimePoint due{};
  TaskStatus status = TaskStatus::kOpen;
  bool overdue = false;  // the deadline passed while it was open (its timer fired)
  std::string created_by;
  bool operator==(const Task&) const = default;
};

namespace task_events {
struct Created {
  std::string title, owner;
  TimePoint due{};
  bool operator==(const Created&) const = default;
};
struct Reassigned {
  std::string owner;
  bool operator==(const Reassigned&) const = default;
};
struct Done {
  std::string note;
  bool operator==(const Done&) const = default;
};
struct WentOverdue {
  bool operator==(const WentOverdue&) const = default;
};
}  // namespace task_events

using TaskBody =
    std::variant<task_events::Created, task_events::Reassigned, task_events::Done, task_events::WentOverdue>;
using TaskEvent = ledger::Event<TaskBody>;

struct Reassign {
  std::string owner;
};
struct Finish {
  std::string note;
};
struct CheckDeadline {};  // the timer's command
using TaskCommand = std::variant<Reassign, Finish, CheckDeadline>;

struct TaskContext {
  TimePoint now{};
  std::string actor;
};

struct TaskWrite {
  Task after;
  std::vector<TaskEvent> events;
  std::int64_t expected_version = 0;
  std::string idempotency_key;
  std::optional<TimePoint> next_timer;  // kept beside the state, as a real store would for start-up
};

class TaskKind {
 public:
  using State = Task;
  using Body = TaskBody;
  using Command = TaskCommand;
  using Context = TaskContext;
  using Write = TaskWrite;

  std::string_view Noun() const { return "task"; }
  ledger::ItemId IdOf(const Task& t) const { return t.id; }
  std::int64_t VersionOf(const Task& t) const { return t.version; }
  std::string CommandName(const Command& c) const {
    static const char* const kNames[] = {"reassign", "finish", "check-deadline"};
    return kNames[c.index()];
  }

  Result<std::vector<TaskEvent>> Decide(const Task& t, const Command& command, const Context& ctx) const {
    auto one = [](TaskBody b) {
      TaskEvent e;
      e.body = std::move(b);
      return std::vector<TaskEvent>{std::move(e)};
    };
    if (const auto* r = std::get_if<Reassign>(&command)) {
      if (t.status != TaskStatus::kOpen) return Conflict("a finished task is not reassigned");
      if (r->owner.empty()) return Invalid("owner", "owner is required");
      if (r->owner == t.owner) return Invalid("owner", "the task is already " + t.owner + "'s");
      return one(task_events::Reassigned{r->owner});
    }
    if (const auto* f = std::get_if<Finish>(&command)) {
      if (t.status != TaskStatus::kOpen) return Conflict("the task is already done");
      return one(task_events::Done{f->note});
    }
    // The timer: overdue once, only while open.
    if (t.status == TaskStatus::kOpen && !t.overdue && ctx.now >= t.due) return one(task_events::WentOverdue{});
    return std::vector<TaskEvent>{};
  }

  Task Evolve(Task t, const TaskEvent& e) const {
    t.version = e.seq;
    if (const auto* c = std::get_if<task_events::Created>(&e.body)) {
      t = Task{e.item, e.seq, c->title, c->owner, c->due, TaskStatus::kOpen, false, e.actor};
    } else if (const auto* r = std::get_if<task_events::Reassigned>(&e.body)) {
      t.owner = r->owner;
    } else if (std::holds_alternative<task_events::Done>(e.body)) {
      t.status = TaskStatus::kDone;
    } else {
      t.overdue = true;
    }
    return t;
  }

  void Complete(TaskWrite& w) const { w.next_timer = NextTimer(w.after); }
  std::optional<TimePoint> NextTimer(const Task& t) const {
    if (t.status != TaskStatus::kOpen || t.overdue) return std::nullopt;
    return t.due;
  }
  Command TimerCommand() const { return CheckDeadline{}; }
};

// The task's access rule: its owner and the organisation that created it see it; only the owner finishes it.
inline Status TaskGuard(const Task& t, const std::string& org, bool finishing) {
  if (t.owner != org && t.created_by != org) return NotFound("task " + to_string(t.id) + " does not exist");
  if (finishing && t.owner != org) return Error{ErrorCode::kForbidden, "only the owner finishes a task", {}, {}};
  return OkStatus();
}

}  // namespace civicgrid::testing
