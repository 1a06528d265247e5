#include "domain/cases/lifecycle.h"

#include "domain/cases/actions.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "common/text.h"

namespace civicgrid::cases {

using cases::CaseStatus;

namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

TimePoint AcceptBy(const Context& ctx) {
  const double h = ctx.category ? ctx.category->accept_hours : 2.0;
  return ctx.now + milliseconds{std::llround(h * 3600.0 * 1000.0)};
}

TimePoint ResolveBy(const Context& ctx, TimePoint from) {
  const double d = ctx.category ? ctx.category->resolve_days : 5.0;
  if (d <= ctx.rules.clock_days_up_to) return from + milliseconds{std::llround(d * 86400e3)};
  return ctx.calendar ? ctx.calendar->AddWorkingDays(from, d) : from + milliseconds{std::llround(d * 86400e3)};
}

// An event with its envelope as Decide sees it (the ledger stamps the final one when it commits).
CaseEvent NewEvent(const Case& s, CaseEventBody body, const Context& ctx) {
  CaseEvent e;
  e.item = s.id;
  e.seq = s.version + 1;
  e.actor = ctx.actor;
  e.at = ctx.now;
  e.body = std::move(body);
  return e;
}

bool Handling(const Case& s) { return IsHandling(s.status); }

const cases::WhistlePart* FindPart(const Case& s, const std::string& org) {
  if (!s.whistle) return nullptr;
  for (const auto& p : s.whistle->parts)
    if (p.org == org) return &p;
  return nullptr;
}

bool WhistleActive(const Case& s) { return s.whistle.has_value() && Handling(s); }

constexpr const char* kCheckInPrefix = "check_in:";

// Stage times of a timer: the reminder at warn_share of its span, overdue at due, the supervision notice a day
// later (resolve and supervision deadlines only: the others escalate or stop at red).
std::optional<TimePoint> StageAt(const std::string& timer, const cases::Timer& t, int stage, const Rules& rules) {
  switch (stage) {
    case 1: {
      const auto span = t.due - t.from;
      if (span <= milliseconds{0}) return std::nullopt;  // no time to warn in
      return t.from + milliseconds{std::llround(double(span.count()) * rules.warn_share)};
    }
    case 2: return t.due;
    case 3:
      if (timer == "resolve" || timer == "supervision") return t.due + std::chrono::hours{24};
      return std::nullopt;
  }
  return std::nullopt;
}

Error NotNow(const Case& s, const std::string& action, const std::string& why = {}) {
  std::string msg = "'" + action + "' is not allowed on a case that is " + std::string(Name(s.status));
  if (!why.empty()) msg += ": " + why;
  return Conflict(std::move(msg), AllowedActions(s));
}

// Notes, reasons and comments: the one text rule (the actions' parsers already cleaned what came over HTTP;
// a command from elsewhere is held to the same rule here), then presence and length.
Status CheckText(const std::string& field, const std::string& text, const Context& ctx, bool required) {
  auto clean = text::Clean(text, field, text::Lines::kMany);
  if (!clean.ok()) return clean.error();
  if (required && clean->empty()) return Invalid(field, field + " is required");
  if (Utf8Length(text) > ctx.rules.max_text)
    return Invalid(field, field + " is longer than " + std::to_string(ctx.rules.max_text) + " characters");
  return OkStatus();
}

// A case sent (again) to an organisation with fresh limits: a reopen, or an escalation to the town.
void Redispatch(Case& s, TimePoint at, const std::string& org, const std::optional<TimePoint>& accept_by,
                const std::optional<TimePoint>& resolve_by) {
  s.status = CaseStatus::kDispatched;
  s.org = org;
  s.dispatched_at = at;
  s.accepted_at.reset();
  s.contacted_at.reset();
  s.resolved_at.reset();
  s.closed_at.reset();
  s.reviewed = false;
  s.rating.reset();
  s.solved.reset();
  for (auto& j : s.joined) {
    j.rating.reset();
    j.solved.reset();
  }
  s.resolution.clear();
  s.returned_by.clear();
  s.pending_extension.reset();
  if (accept_by) s.accept_by = accept_by;
  if (resolve_by) s.resolve_by = resolve_by;
  s.timers.erase("follow_up");
  // A whistle ends with the handling it organised (its record stays in the events); check-in timers go with it.
  if (s.whistle) {
    for (const auto& p : s.whistle->parts) s.timers.erase(std::string(kCheckInPrefix) + p.org);
    s.whistle.reset();
  }
  if (s.accept_by) s.timers["accept"] = {at, *s.accept_by, 0};
  if (resolve_by) s.timers["resolve"] = {at, *resolve_by, 0};
}

// A timer's alert fired: record its stage so it fires once.
void SetStage(Case& s, const std::string& timer, int stage) {
  if (auto it = s.timers.find(timer); it != s.timers.end()) it->second.stage = stage;
}

}  // namespace

size_t Utf8Length(std::string_view s) { return text::CodePoints(s); }

Result<std::string> CleanReporterName(std::string_view name) {
  auto clean = text::Clean(name, "reporter.name", text::Lines::kOne);
  if (!clean.ok()) return clean.error();
  if (Utf8Length(*clean) > 100) return Invalid("reporter.name", "name is longer than 100 characters");
  return clean;
}

std::string ActionName(const Command& command) { return std::string(ActionOf(command).name); }

std::vector<std::string> AllowedActions(const Case& s) {
  std::vector<std::string> out;
  for (const auto& a : Actions())
    if (a.allowed(s)) out.emplace_back(a.name);
  return out;
}

CaseEvent Receive(cases::CaseId id, cases::CaseOrigin origin, const Context& ctx) {
  Case blank;
  blank.id = id;
  return NewEvent(blank, events::Received{std::move(origin), AcceptBy(ctx), ResolveBy(ctx, ctx.now), ctx.duplicates},
                  ctx);
}

namespace {

// The escalation ladder: one step up when the trigger is enabled, appended after `events`. Escalation to the
// town re-dispatches to the town's organisation with fresh limits; `joint` puts the case in the
// difficult-matters queue, where the town whistles the departments in.
void MaybeEscalate(const Case& before, std::vector<CaseEvent>& events, const std::string& trigger, const Context& ctx,
                   bool forced = false, const std::string& reason = {}) {
  if (!forced && !ctx.rules.escalate_on.count(trigger)) return;
  Case s = before;
  for (const auto& e : events) s = Evolve(s, e);
  if (s.level == cases::Level::kJoint || !IsOpen(s)) return;
  events::Escalated e;
  e.level = s.level == cases::Level::kCommunity ? cases::Level::kTown : cases::Level::kJoint;
  e.trigger = trigger;
  e.reason = reason;
  if (*e.level == cases::Level::kTown && !ctx.town_org.empty() && ctx.town_org != s.org) {
    e.org = ctx.town_org;
    e.accept_by = AcceptBy(ctx);
    e.resolve_by = ResolveBy(ctx, ctx.now);
  }
  events.push_back(NewEvent(s, std::move(e), ctx));
}

Result<std::vector<CaseEvent>> Alerts(const Case& s, const Context& ctx) {
  std::vector<CaseEvent> events;
  Case cur = s;
  bool escalate_overdue = false, escalate_missed = false;
  // Every stage due by now, in time order, each once (a server that was down catches up in one command).
  for (int guard = 0; guard < 64; ++guard) {
    auto next = NextAlert(cur, ctx.rules);
    if (!next || next->at > ctx.now) break;
    const bool check_in = next->timer.starts_with(kCheckInPrefix);
    events::TimerFired fired{next->timer, cur.timers.at(next->timer).due,
                             check_in ? next->timer.substr(std::string_view(kCheckInPrefix).size()) : std::string()};
    CaseEventBody body;
    if (next->stage == 1) body = events::Reminded{std::move(fired)};
    else if (next->stage == 2 && check_in) body = events::CheckInMissed{std::move(fired)};
    else if (next->stage == 2) body = events::Overdue{std::move(fired)};
    else body = events::SupervisionNotice{std::move(fired)};
    if (next->stage == 2 && (next->timer == "resolve" || next->timer == "supervision")) escalate_overdue = true;
    if (next->stage == 2 && check_in) escalate_missed = true;
    auto e = NewEvent(cur, std::move(body), ctx);
    cur = Evolve(cur, e);
    events.push_back(std::move(e));
  }
  if (escalate_overdue) MaybeEscalate(s, events, "overdue", ctx);
  if (escalate_missed) MaybeEscalate(s, events, "check_in_missed", ctx);
  return events;
}

}  // namespace

Result<std::vector<CaseEvent>> Decide(const Case& s, const Command& command, const Context& ctx) {
  if (std::holds_alternative<FireAlerts>(command)) return Alerts(s, ctx);
  const Action& action = ActionOf(command);
  if (!action.allowed(s)) return NotNow(s, std::string(action.name), action.why_not(s));
  return std::visit(
      Overloaded{
          [&](const Dispatch& c) -> Result<std::vector<CaseEvent>> {
            if (c.org.empty()) return Invalid("org", "org is required");
            return std::vector{NewEvent(s, events::Dispatched{c.org, AcceptBy(ctx), c.rule, c.reason}, ctx)};
          },
          [&](const Accept&) -> Result<std::vector<CaseEvent>> {
            return std::vector{NewEvent(s, events::Accepted{}, ctx)};
          },
          [&](const Contact& c) -> Result<std::vector<CaseEvent>> {
            if (auto st = CheckText("note", c.note, ctx, false); !st) return st.error();
            return std::vector{NewEvent(s, events::Contacted{c.note}, ctx)};
          },
          [&](const Return& c) -> Result<std::vector<CaseEvent>> {
            if (auto st = CheckText("reason", c.reason, ctx, true); !st) return st.error();
            if (s.dispatched_at && ctx.calendar &&
                ctx.now > ctx.calendar->AddWorkingDays(*s.dispatched_at, ctx.rules.return_window_days))
              return NotNow(s, "return",
                            "a return is allowed only within " + std::to_string(int(ctx.rules.return_window_days)) +
                                " working days of dispatch");
            std::vector<CaseEvent> out{NewEvent(s, events::Returned{s.org, c.reason}, ctx)};
            if (s.returns + 1 >= 2) MaybeEscalate(s, out, "returned_twice", ctx);
            return out;
          },
          [&](const RequestExtension& c) -> Result<std::vector<CaseEvent>> {
            if (!(c.days > 0) || !std::isfinite(c.days)) return Invalid("days", "days must be a positive number");
            const double left = ctx.rules.max_extension_days - s.extension_days;
            if (c.days > left + 1e-9)
              return Invalid("days", "extensions add at most " + std::to_string(int(ctx.rules.max_extension_days)) +
                                         " working days in all; " + std::to_string(left).substr(0, 4) + " left");
            if (auto st = CheckText("reason", c.reason, ctx, true); !st) return st.error();
            return std::vector{NewEvent(s, events::ExtensionRequested{c.days, c.reason}, ctx)};
          },
          [&](const DecideExtension& c) -> Result<std::vector<CaseEvent>> {
            if (auto st = CheckText("note", c.note, ctx, false); !st) return st.error();
            events::ExtensionDecided e{c.approve, c.note, s.pending_extension, std::nullopt};
            if (c.approve && s.resolve_by) {
              // An extension counts like the limit it extends: on the clock for urgent categories.
              const bool on_clock = ctx.category && ctx.category->resolve_days <= ctx.rules.clock_days_up_to;
              e.resolve_by = on_clock || !ctx.calendar
                                 ? *s.resolve_by + milliseconds{std::llround(*s.pending_extension * 86400e3)}
                                 : ctx.calendar->AddWorkingDays(*s.resolve_by, *s.pending_extension);
            }
            return std::vector{NewEvent(s, std::move(e), ctx)};
          },
          [&](const Resolve& c) -> Result<std::vector<CaseEvent>> {
            if (auto st = CheckText("note", c.note, ctx, true); !st) return st.error();
            if (s.whistle) {
              std::string missing;
              for (const auto& p : s.whistle->parts)
                if (!p.reported_at) missing += (missing.empty() ? "" : ", ") + p.org;
              if (!missing.empty())
                return NotNow(s, "resolve", "the whistle's parts are not all in (waiting for " + missing + ")");
            }
            return std::vector{NewEvent(s, events::Resolved{c.note}, ctx)};
          },
          [&](const Review& c) -> Result<std::vector<CaseEvent>> {
            if (auto st = CheckText("note", c.note, ctx, !c.approve); !st) return st.error();
            events::Reviewed e{c.approve, c.note, std::nullopt};
            // Every reporter is to be asked (回访) within follow_up_days working days.
            if (c.approve)
              e.due = ctx.calendar ? ctx.calendar->AddWorkingDays(ctx.now, ctx.rules.follow_up_days)
                                   : ctx.now + milliseconds{std::llround(ctx.rules.follow_up_days * 86400e3)};
            return std::vector{NewEvent(s, std::move(e), ctx)};
          },
          [&](const Rate& c) -> Result<std::vector<CaseEvent>> {
            if (auto st = CheckText("comment", c.comment, ctx, false); !st) return st.error();
            if (c.reporter < 0 || c.reporter > int(s.joined.size()))
              return Invalid("reporter", "reporter must be 0 (the first) to " + std::to_string(s.joined.size()));
            if (c.reporter == 0 ? s.rating.has_value() : s.joined[size_t(c.reporter - 1)].rating.has_value())
              return NotNow(s, "rating", "this reporter has already rated it");
            events::Rated e{c.rating, c.solved, c.comment, std::nullopt};
            if (c.reporter > 0) e.reporter = c.reporter;
            std::vector<CaseEvent> out{NewEvent(s, std::move(e), ctx)};
            if (c.rating == cases::Rating::kDissatisfied || !c.solved) MaybeEscalate(s, out, "dissatisfied", ctx);
            return out;
          },
          [&](const Close&) -> Result<std::vector<CaseEvent>> {
            return std::vector{NewEvent(s, events::Closed{}, ctx)};
          },
          [&](const Reopen& c) -> Result<std::vector<CaseEvent>> {
            if (auto st = CheckText("reason", c.reason, ctx, true); !st) return st.error();
            return std::vector{
                NewEvent(s, events::Reopened{s.org, c.reason, AcceptBy(ctx), ResolveBy(ctx, ctx.now)}, ctx)};
          },
          [&](const MarkInvalid& c) -> Result<std::vector<CaseEvent>> {
            if (auto st = CheckText("reason", c.reason, ctx, true); !st) return st.error();
            return std::vector{NewEvent(s, events::Invalidated{c.reason}, ctx)};
          },
          [&](const Merge& c) -> Result<std::vector<CaseEvent>> {
            if (c.into == s.id) return Invalid("into", "a case cannot be merged into itself");
            if (!ctx.merge_target) return Invalid("into", "case " + to_string(c.into) + " does not exist");
            const auto ts = ctx.merge_target->status;
            if (ts == CaseStatus::kMerged || ts == CaseStatus::kInvalid || ts == CaseStatus::kClosed)
              return Invalid(
                  "into", "case " + to_string(c.into) + " is " + std::string(Name(ts)) + "; merge into an open case");
            return std::vector{NewEvent(s, events::Merged{c.into}, ctx)};
          },
          [&](const FireAlerts&) -> Result<std::vector<CaseEvent>> { return Alerts(s, ctx); },
          [&](const Escalate& c) -> Result<std::vector<CaseEvent>> {
            if (auto st = CheckText("reason", c.reason, ctx, true); !st) return st.error();
            std::vector<CaseEvent> out;
            MaybeEscalate(s, out, "manual", ctx, true, c.reason);
            return out;
          },
          [&](const BlowWhistle& c) -> Result<std::vector<CaseEvent>> {
            if (c.lead.empty()) return Invalid("lead", "lead is required (the lead department)");
            const double hours = c.check_in_hours.value_or(ctx.rules.check_in_hours);
            if (!(hours > 0) || !std::isfinite(hours) || hours > 24 * 30)
              return Invalid("check_in_hours", "check_in_hours must be a positive number of hours (at most 720)");
            std::set<std::string> seen{c.lead};
            for (const auto& o : c.co) {
              if (o.empty()) return Invalid("co", "co-departments must be organisation codes");
              if (!seen.insert(o).second) return Invalid("co", "'" + o + "' is named twice (or is the lead)");
            }
            if (c.co.size() > 50) return Invalid("co", "at most 50 co-departments");
            if (auto st = CheckText("note", c.note, ctx, false); !st) return st.error();
            return std::vector{NewEvent(
                s, events::Whistled{c.lead, c.co, c.note, ctx.now + milliseconds{std::llround(hours * 3600e3)}}, ctx)};
          },
          [&](const CheckIn& c) -> Result<std::vector<CaseEvent>> {
            const auto* part = FindPart(s, c.org);
            if (!part) return Invalid("org", "'" + c.org + "' is not a department of this whistle");
            if (part->checked_in_at) return NotNow(s, "check-in", c.org + " has already checked in");
            return std::vector{NewEvent(s, events::CheckedIn{c.org}, ctx)};
          },
          [&](const ReportPart& c) -> Result<std::vector<CaseEvent>> {
            const auto* part = FindPart(s, c.org);
            if (!part) return Invalid("org", "'" + c.org + "' is not a department of this whistle");
            if (!part->checked_in_at) return NotNow(s, "part", c.org + " must check in before reporting its part");
            if (part->reported_at) return NotNow(s, "part", c.org + " has already reported its part");
            if (auto st = CheckText("note", c.note, ctx, true); !st) return st.error();
            return std::vector{NewEvent(s, events::PartReported{c.org, c.note}, ctx)};
          },
          [&](const Supervise& c) -> Result<std::vector<CaseEvent>> {
            if (auto st = CheckText("note", c.note, ctx, true); !st) return st.error();
            if (c.due <= ctx.now) return Invalid("due", "the new deadline must lie in the future");
            std::vector<CaseEvent> out{NewEvent(s, events::Supervised{c.note, c.due}, ctx)};
            if (c.escalate) MaybeEscalate(s, out, "supervisor_flag", ctx);
            return out;
          },
          [&](const DecideReturn& c) -> Result<std::vector<CaseEvent>> {
            if (auto st = CheckText("note", c.note, ctx, !c.uphold); !st) return st.error();
            if (c.uphold && c.org.empty()) return Invalid("org", "upholding a return re-dispatches: name the org");
            if (c.uphold && c.org == s.returned_by)
              return Invalid("org", "the return is upheld: re-dispatch to another organisation than " + s.returned_by);
            return std::vector{NewEvent(
                s, events::ReturnDecided{c.uphold, c.uphold ? c.org : s.returned_by, c.note, AcceptBy(ctx)}, ctx)};
          },
          [&](const Join& c) -> Result<std::vector<CaseEvent>> {
            if (s.joined.size() >= 1000) return Invalid("reporter", "this case has reached 1,000 joined reporters");
            events::Joined e{c.reporter, std::nullopt};
            auto name = CleanReporterName(c.reporter.name);
            if (!name.ok()) return name.error();
            e.reporter.name = std::move(name.value());
            // A blank reporter can neither be called back nor asked for a rating.
            if (e.reporter.name.empty() && e.reporter.phone.empty())
              return Invalid("reporter", "a join needs the reporter's name or phone");
            if (ReporterOf(s, c) >= 0) return std::vector<CaseEvent>{};  // already a reporter: nothing changes
            if (c.from) e.from = c.from;
            return std::vector{NewEvent(s, std::move(e), ctx)};
          },
      },
      command);
}

int ReporterOf(const Case& s, const Join& c) {
  const std::string& lookup = c.reporter.phone.lookup;
  auto same = [&](const Reporter& r) { return !lookup.empty() && r.phone.lookup == lookup; };
  if (same(s.origin.reporter) || (!c.resident.empty() && s.taken_by == c.resident)) return 0;
  for (size_t k = 0; k < s.joined.size(); ++k)
    if (same(s.joined[k].reporter) || (!c.resident.empty() && s.joined[k].by == c.resident && !s.joined[k].from))
      return int(k + 1);
  return -1;
}

Case Evolve(Case s, const CaseEvent& e) {
  s.version = e.seq;
  s.updated_at = e.at;
  std::visit(Overloaded{
                 [&](const events::Received& b) {
                   s = Case{};
                   s.id = e.item;
                   s.version = e.seq;
                   s.origin = b.origin;
                   s.status = CaseStatus::kReceived;
                   s.created_at = s.updated_at = e.at;
                   s.taken_by = e.actor;
                   s.accept_by = b.accept_by;
                   s.resolve_by = b.resolve_by;
                   if (b.resolve_by) s.timers["resolve"] = {e.at, *b.resolve_by, 0};
                   s.duplicates = b.duplicates;
                 },
                 [&](const events::Dispatched& b) {
                   s.status = CaseStatus::kDispatched;
                   s.org = b.org;
                   s.dispatched_at = e.at;
                   if (b.accept_by) s.accept_by = b.accept_by;
                   if (s.accept_by) s.timers["accept"] = {e.at, *s.accept_by, 0};
                   if (b.rule) s.routing = cases::Routing{*b.rule, b.reason};
                   s.returned_by.clear();
                 },
                 [&](const events::Accepted&) {
                   s.status = CaseStatus::kAccepted;
                   s.accepted_at = e.at;
                 },
                 [&](const events::Contacted&) { s.contacted_at = e.at; },
                 [&](const events::Returned& b) {
                   s.returned_by = b.org;
                   s.status = CaseStatus::kReceived;
                   s.org.clear();
                   s.returns += 1;
                   s.accepted_at.reset();
                   s.contacted_at.reset();  // the next handler makes its own first contact
                   s.dispatched_at.reset();
                   s.pending_extension.reset();
                 },
                 [&](const events::ExtensionRequested& b) { s.pending_extension = b.days; },
                 [&](const events::ExtensionDecided& b) {
                   if (b.approve) {
                     s.extension_days += b.days.value_or(0);
                     if (b.resolve_by) {
                       s.resolve_by = b.resolve_by;
                       auto& t = s.timers["resolve"];
                       t.due = *b.resolve_by;
                       t.stage = 0;
                     }
                   }
                   s.pending_extension.reset();
                 },
                 [&](const events::Resolved& b) {
                   s.status = CaseStatus::kResolved;
                   s.resolved_at = e.at;
                   s.resolution = b.note;
                   s.reviewed = false;
                   s.pending_extension.reset();
                 },
                 [&](const events::Reviewed& b) {
                   if (b.approve) {
                     s.reviewed = true;
                     if (b.due) s.timers["follow_up"] = {e.at, *b.due, 0};
                   } else {
                     s.status = CaseStatus::kAccepted;
                     s.resolved_at.reset();
                     s.resolution.clear();  // the refused note stays in the event
                   }
                 },
                 [&](const events::Rated& b) {
                   if (b.reporter && *b.reporter > 0) {
                     if (size_t(*b.reporter) <= s.joined.size()) {
                       auto& j = s.joined[size_t(*b.reporter - 1)];
                       j.rating = b.rating;
                       j.solved = b.solved;
                     }
                   } else {
                     s.rating = b.rating;
                     s.solved = b.solved;
                   }
                 },
                 [&](const events::Closed&) {
                   s.status = CaseStatus::kClosed;
                   s.closed_at = e.at;
                 },
                 [&](const events::Reopened& b) { Redispatch(s, e.at, b.org, b.accept_by, b.resolve_by); },
                 [&](const events::Invalidated&) {
                   s.status = CaseStatus::kInvalid;
                   s.closed_at = e.at;
                 },
                 [&](const events::Merged& b) {
                   s.status = CaseStatus::kMerged;
                   s.merged_into = b.into;
                   s.closed_at = e.at;
                 },
                 [&](const events::Reminded& b) { SetStage(s, b.deadline, 1); },
                 [&](const events::Overdue& b) { SetStage(s, b.deadline, 2); },
                 [&](const events::SupervisionNotice& b) { SetStage(s, b.deadline, 3); },
                 [&](const events::CheckInMissed& b) {
                   SetStage(s, b.deadline, 2);
                   if (s.whistle)
                     for (auto& p : s.whistle->parts)
                       if (p.org == b.org) p.missed = true;
                 },
                 [&](const events::Escalated& b) {
                   if (b.level) s.level = *b.level;
                   if (!b.org.empty()) Redispatch(s, e.at, b.org, b.accept_by, b.resolve_by);
                 },
                 [&](const events::Whistled& b) {
                   cases::Whistle w;
                   w.by = e.actor;
                   w.at = e.at;
                   const TimePoint by = b.check_in_by.value_or(e.at);
                   w.parts.push_back({b.lead, true, by, std::nullopt, false, std::nullopt, ""});
                   for (const auto& o : b.co) w.parts.push_back({o, false, by, std::nullopt, false, std::nullopt, ""});
                   for (const auto& p : w.parts) s.timers[std::string(kCheckInPrefix) + p.org] = {e.at, by, 0};
                   s.whistle = std::move(w);
                   // The lead department now holds the case; departments and the town handle it together.
                   s.status = CaseStatus::kAccepted;
                   s.org = b.lead;
                   if (!s.accepted_at) s.accepted_at = e.at;
                   s.returned_by.clear();
                   if (s.level == cases::Level::kCommunity) s.level = cases::Level::kTown;
                 },
                 [&](const events::CheckedIn& b) {
                   if (s.whistle)
                     for (auto& p : s.whistle->parts)
                       if (p.org == b.org) p.checked_in_at = e.at;
                 },
                 [&](const events::PartReported& b) {
                   if (s.whistle)
                     for (auto& p : s.whistle->parts)
                       if (p.org == b.org) {
                         p.reported_at = e.at;
                         p.note = b.note;
                       }
                 },
                 [&](const events::Supervised& b) {
                   s.supervisions.push_back({e.actor, e.at, b.note, b.due.value_or(e.at)});
                   if (b.due) s.timers["supervision"] = {e.at, *b.due, 0};
                 },
                 [&](const events::ReturnDecided& b) {
                   s.status = CaseStatus::kDispatched;
                   s.org = b.org;
                   s.dispatched_at = e.at;
                   if (b.accept_by) s.accept_by = b.accept_by;
                   if (s.accept_by) s.timers["accept"] = {e.at, *s.accept_by, 0};
                   s.returned_by.clear();
                 },
                 [&](const events::Joined& b) {
                   cases::JoinedReporter j;
                   j.reporter = b.reporter;
                   j.from = b.from.value_or(CaseId());
                   j.by = e.actor;
                   s.joined.push_back(std::move(j));
                 },
             },
             e.body);
  return s;
}

bool AnyoneToRate(const Case& s) {
  if (!s.rating) return true;
  for (const auto& j : s.joined)
    if (!j.rating) return true;
  return false;
}

bool RatedBadly(const Case& s) {
  auto bad = [](const std::optional<Rating>& r, const std::optional<bool>& solved) {
    return (r && *r == Rating::kDissatisfied) || (solved && !*solved);
  };
  if (bad(s.rating, s.solved)) return true;
  for (const auto& j : s.joined)
    if (bad(j.rating, j.solved)) return true;
  return false;
}

bool IsHandling(CaseStatus s) {
  return s == CaseStatus::kReceived || s == CaseStatus::kDispatched || s == CaseStatus::kAccepted;
}

bool IsOpen(const Case& c) {
  return c.status != CaseStatus::kClosed && c.status != CaseStatus::kInvalid && c.status != CaseStatus::kMerged;
}

bool IsTimerActive(const Case& c, const std::string& timer) {
  if (timer == "accept") return c.status == CaseStatus::kDispatched;
  if (timer == "resolve" || timer == "supervision") return Handling(c);
  if (timer == "follow_up") return c.status == CaseStatus::kResolved && c.reviewed && AnyoneToRate(c);
  if (timer.starts_with(kCheckInPrefix)) {
    if (!WhistleActive(c)) return false;
    const auto* p = FindPart(c, timer.substr(std::string_view(kCheckInPrefix).size()));
    return p && !p->checked_in_at;
  }
  return false;
}

std::optional<Alert> NextAlert(const Case& c, const Rules& rules) {
  std::optional<Alert> best;
  for (const auto& [name, t] : c.timers) {
    if (t.stage >= 3 || !IsTimerActive(c, name)) continue;
    for (int stage = t.stage + 1; stage <= 3; ++stage) {
      auto at = StageAt(name, t, stage, rules);
      if (!at) continue;
      if (!best || *at < best->at) best = Alert{*at, name, stage};
      break;
    }
  }
  return best;
}

Tally TallyOf(const Case& c) {
  Tally t;
  const bool valid = c.status != CaseStatus::kInvalid && c.status != CaseStatus::kMerged;
  t.reached = c.dispatched_at.has_value() || c.accepted_at.has_value();
  t.responded = c.accepted_at && c.accept_by && *c.accepted_at <= *c.accept_by;
  t.resolved = valid && (c.resolved_at.has_value() || c.status == CaseStatus::kClosed);
  t.light = LightOf(c);
  auto count = [&](const std::optional<cases::Rating>& r) {
    if (!r) return;
    ++t.rated;
    t.satisfied += *r == cases::Rating::kSatisfied || *r == cases::Rating::kBasicallySatisfied;
  };
  count(c.rating);
  for (const auto& j : c.joined) count(j.rating);
  return t;
}

std::int64_t Pack(const Tally& t) {
  return std::int64_t(t.reached) | std::int64_t(t.responded) << 1 | std::int64_t(t.resolved) << 2 |
         std::int64_t(t.light) << 3 | std::int64_t(std::min(t.rated, 0xffff)) << 8 |
         std::int64_t(std::min(t.satisfied, 0xffff)) << 24;
}

Tally UnpackTally(std::int64_t p) {
  Tally t;
  t.reached = p & 1;
  t.responded = p >> 1 & 1;
  t.resolved = p >> 2 & 1;
  t.light = Light(p >> 3 & 3);
  t.rated = int(p >> 8 & 0xffff);
  t.satisfied = int(p >> 24 & 0xffff);
  return t;
}

Light LightOf(const Case& c) {
  Light light = Light::kNone;
  for (const auto& [name, t] : c.timers) {
    if (t.stage == 0 || !IsTimerActive(c, name)) continue;
    if (t.stage >= 2) return Light::kRed;
    light = Light::kYellow;
  }
  return light;
}

}  // namespace civicgrid::cases
