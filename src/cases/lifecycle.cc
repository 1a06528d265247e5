#include "cases/lifecycle.h"

#include <cmath>

namespace civicgrid::cases {

using model::CaseStatus;
using model::EventType;

namespace {

template <class... F>
struct Overloaded : F... { using F::operator()...; };
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

CaseEvent NewEvent(const Case& s, EventType type, const Context& ctx) {
  CaseEvent e;
  e.case_id = s.id;
  e.seq = s.version + 1;
  e.type = type;
  e.actor = ctx.actor;
  e.at = ctx.now;
  return e;
}

bool IsRatedBadly(const Case& s) {
  return (s.rating && *s.rating == model::Rating::kDissatisfied) || (s.solved && !*s.solved);
}

Error NotNow(const Case& s, const std::string& action, std::string why = {}) {
  std::string msg = "'" + action + "' is not allowed on a case that is " + std::string(model::Name(s.status));
  if (!why.empty()) msg += ": " + why;
  return Conflict(std::move(msg), AllowedActions(s));
}

Status CheckText(const std::string& field, const std::string& text, const Context& ctx, bool required) {
  if (required && text.find_first_not_of(" \t\r\n") == std::string::npos)
    return Invalid(field, field + " is required");
  if (Utf8Length(text) > ctx.rules.max_text)
    return Invalid(field, field + " is longer than " + std::to_string(ctx.rules.max_text) + " characters");
  return OkStatus();
}

bool Allowed(const Case& s, const std::string& action) {
  for (const auto& a : AllowedActions(s))
    if (a == action) return true;
  return false;
}

}  // namespace

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string ActionName(const Command& command) {
  return std::visit(Overloaded{
                        [](const Dispatch&) { return "dispatch"; },
                        [](const Accept&) { return "accept"; },
                        [](const Contact&) { return "contact"; },
                        [](const Return&) { return "return"; },
                        [](const RequestExtension&) { return "extension"; },
                        [](const DecideExtension&) { return "extension/decision"; },
                        [](const Resolve&) { return "resolve"; },
                        [](const Review&) { return "review"; },
                        [](const Rate&) { return "rating"; },
                        [](const Close&) { return "close"; },
                        [](const Reopen&) { return "reopen"; },
                        [](const MarkInvalid&) { return "invalid"; },
                        [](const Merge&) { return "merge"; },
                    },
                    command);
}

std::vector<std::string> AllowedActions(const Case& s) {
  switch (s.status) {
    case CaseStatus::kReceived:
      return {"dispatch", "invalid", "merge"};
    case CaseStatus::kDispatched:
      return {"accept", "return", "invalid", "merge"};
    case CaseStatus::kAccepted: {
      std::vector<std::string> out;
      if (!s.contacted_at) out.push_back("contact");
      out.push_back("return");
      out.push_back(s.pending_extension ? "extension/decision" : "extension");
      out.push_back("resolve");
      return out;
    }
    case CaseStatus::kResolved: {
      if (!s.reviewed) return {"review"};
      std::vector<std::string> out;
      if (!s.rating) out.push_back("rating");
      out.push_back("close");
      if (IsRatedBadly(s)) out.push_back("reopen");
      return out;
    }
    case CaseStatus::kClosed:
      if (IsRatedBadly(s)) return {"reopen"};
      return {};
    case CaseStatus::kInvalid:
    case CaseStatus::kMerged:
      return {};
  }
  return {};
}

CaseEvent Receive(model::CaseId id, model::CaseOrigin origin, const Context& ctx) {
  Case blank;
  blank.id = id;
  CaseEvent e = NewEvent(blank, EventType::kReceived, ctx);
  e.origin = std::move(origin);
  e.accept_by = AcceptBy(ctx);
  e.resolve_by = ResolveBy(ctx, ctx.now);
  return e;
}

Result<std::vector<CaseEvent>> Decide(const Case& s, const Command& command, const Context& ctx) {
  const std::string action = ActionName(command);
  if (!Allowed(s, action)) {
    std::string why;
    if (action == "rating" && s.status == CaseStatus::kResolved && s.rating) why = "it is already rated";
    else if (action == "contact" && s.contacted_at) why = "the reporter was already contacted";
    else if (action == "extension" && s.pending_extension) why = "an extension request awaits a decision";
    else if (action == "extension/decision" && s.status == CaseStatus::kAccepted) why = "no extension is pending";
    else if ((action == "rating" || action == "close") && s.status == CaseStatus::kResolved)
      why = "the centre has not reviewed the resolution";
    else if (action == "reopen") why = "only a case rated dissatisfied or unsolved can be reopened";
    return NotNow(s, action, why);
  }
  return std::visit(
      Overloaded{
          [&](const Dispatch& c) -> Result<std::vector<CaseEvent>> {
            if (c.org.empty()) return Invalid("org", "org is required");
            auto e = NewEvent(s, EventType::kDispatched, ctx);
            e.org = c.org;
            e.accept_by = AcceptBy(ctx);
            return std::vector{e};
          },
          [&](const Accept&) -> Result<std::vector<CaseEvent>> {
            return std::vector{NewEvent(s, EventType::kAccepted, ctx)};
          },
          [&](const Contact& c) -> Result<std::vector<CaseEvent>> {
            if (auto st = CheckText("note", c.note, ctx, false); !st) return st.error();
            auto e = NewEvent(s, EventType::kContacted, ctx);
            e.text = c.note;
            return std::vector{e};
          },
          [&](const Return& c) -> Result<std::vector<CaseEvent>> {
            if (auto st = CheckText("reason", c.reason, ctx, true); !st) return st.error();
            if (s.dispatched_at && ctx.calendar &&
                ctx.now > ctx.calendar->AddWorkingDays(*s.dispatched_at, ctx.rules.return_window_days))
              return NotNow(s, "return",
                            "a return is allowed only within " + std::to_string(int(ctx.rules.return_window_days)) +
                                " working days of dispatch");
            auto e = NewEvent(s, EventType::kReturned, ctx);
            e.text = c.reason;
            return std::vector{e};
          },
          [&](const RequestExtension& c) -> Result<std::vector<CaseEvent>> {
            if (!(c.days > 0) || !std::isfinite(c.days)) return Invalid("days", "days must be a positive number");
            const double left = ctx.rules.max_extension_days - s.extension_days;
            if (c.days > left + 1e-9)
              return Invalid("days", "extensions add at most " + std::to_string(int(ctx.rules.max_extension_days)) +
                                         " working days in all; " + std::to_string(left).substr(0, 4) + " left");
            if (auto st = CheckText("reason", c.reason, ctx, true); !st) return st.error();
            auto e = NewEvent(s, EventType::kExtensionRequested, ctx);
            e.days = c.days;
            e.text = c.reason;
            return std::vector{e};
          },
          [&](const DecideExtension& c) -> Result<std::vector<CaseEvent>> {
            if (auto st = CheckText("note", c.note, ctx, false); !st) return st.error();
            auto e = NewEvent(s, EventType::kExtensionDecided, ctx);
            e.approve = c.approve;
            e.text = c.note;
            e.days = s.pending_extension;
            if (c.approve && s.resolve_by) {
              // An extension counts like the limit it extends: on the clock for urgent categories.
              const bool on_clock = ctx.category && ctx.category->resolve_days <= ctx.rules.clock_days_up_to;
              e.resolve_by = on_clock || !ctx.calendar
                                 ? *s.resolve_by + milliseconds{std::llround(*s.pending_extension * 86400e3)}
                                 : ctx.calendar->AddWorkingDays(*s.resolve_by, *s.pending_extension);
            }
            return std::vector{e};
          },
          [&](const Resolve& c) -> Result<std::vector<CaseEvent>> {
            if (auto st = CheckText("note", c.note, ctx, true); !st) return st.error();
            auto e = NewEvent(s, EventType::kResolved, ctx);
            e.text = c.note;
            return std::vector{e};
          },
          [&](const Review& c) -> Result<std::vector<CaseEvent>> {
            if (auto st = CheckText("note", c.note, ctx, !c.approve); !st) return st.error();
            auto e = NewEvent(s, EventType::kReviewed, ctx);
            e.approve = c.approve;
            e.text = c.note;
            return std::vector{e};
          },
          [&](const Rate& c) -> Result<std::vector<CaseEvent>> {
            if (auto st = CheckText("comment", c.comment, ctx, false); !st) return st.error();
            auto e = NewEvent(s, EventType::kRated, ctx);
            e.rating = c.rating;
            e.solved = c.solved;
            e.text = c.comment;
            return std::vector{e};
          },
          [&](const Close&) -> Result<std::vector<CaseEvent>> {
            return std::vector{NewEvent(s, EventType::kClosed, ctx)};
          },
          [&](const Reopen& c) -> Result<std::vector<CaseEvent>> {
            if (auto st = CheckText("reason", c.reason, ctx, true); !st) return st.error();
            auto e = NewEvent(s, EventType::kReopened, ctx);
            e.text = c.reason;
            e.org = s.org;
            e.accept_by = AcceptBy(ctx);
            e.resolve_by = ResolveBy(ctx, ctx.now);
            return std::vector{e};
          },
          [&](const MarkInvalid& c) -> Result<std::vector<CaseEvent>> {
            if (auto st = CheckText("reason", c.reason, ctx, true); !st) return st.error();
            auto e = NewEvent(s, EventType::kInvalidated, ctx);
            e.text = c.reason;
            return std::vector{e};
          },
          [&](const Merge& c) -> Result<std::vector<CaseEvent>> {
            if (c.into == s.id) return Invalid("into", "a case cannot be merged into itself");
            if (!ctx.merge_target) return Invalid("into", "case " + std::to_string(c.into) + " does not exist");
            const auto ts = ctx.merge_target->status;
            if (ts == CaseStatus::kMerged || ts == CaseStatus::kInvalid || ts == CaseStatus::kClosed)
              return Invalid("into", "case " + std::to_string(c.into) + " is " + std::string(model::Name(ts)) +
                                         "; merge into an open case");
            auto e = NewEvent(s, EventType::kMerged, ctx);
            e.into = c.into;
            return std::vector{e};
          },
      },
      command);
}

Case Evolve(Case s, const CaseEvent& e) {
  s.version = e.seq;
  s.updated_at = e.at;
  switch (e.type) {
    case EventType::kReceived:
      s = Case{};
      s.id = e.case_id;
      s.version = e.seq;
      s.origin = e.origin.value_or(model::CaseOrigin{});
      s.status = CaseStatus::kReceived;
      s.created_at = s.updated_at = e.at;
      s.taken_by = e.actor;
      s.accept_by = e.accept_by;
      s.resolve_by = e.resolve_by;
      break;
    case EventType::kDispatched:
      s.status = CaseStatus::kDispatched;
      s.org = e.org;
      s.dispatched_at = e.at;
      if (e.accept_by) s.accept_by = e.accept_by;
      break;
    case EventType::kAccepted:
      s.status = CaseStatus::kAccepted;
      s.accepted_at = e.at;
      break;
    case EventType::kContacted:
      s.contacted_at = e.at;
      break;
    case EventType::kReturned:
      s.status = CaseStatus::kReceived;
      s.org.clear();
      s.returns += 1;
      s.accepted_at.reset();
      s.contacted_at.reset();  // the next handler makes its own first contact
      s.dispatched_at.reset();
      s.pending_extension.reset();
      break;
    case EventType::kExtensionRequested:
      s.pending_extension = e.days;
      break;
    case EventType::kExtensionDecided:
      if (e.approve.value_or(false)) {
        s.extension_days += e.days.value_or(0);
        if (e.resolve_by) s.resolve_by = e.resolve_by;
      }
      s.pending_extension.reset();
      break;
    case EventType::kResolved:
      s.status = CaseStatus::kResolved;
      s.resolved_at = e.at;
      s.resolution = e.text;
      s.reviewed = false;
      s.pending_extension.reset();
      break;
    case EventType::kReviewed:
      if (e.approve.value_or(false)) {
        s.reviewed = true;
      } else {
        s.status = CaseStatus::kAccepted;
        s.resolved_at.reset();
        s.resolution.clear();  // the refused note stays in the event
      }
      break;
    case EventType::kRated:
      s.rating = e.rating;
      s.solved = e.solved;
      break;
    case EventType::kClosed:
      s.status = CaseStatus::kClosed;
      s.closed_at = e.at;
      break;
    case EventType::kReopened:
      s.status = CaseStatus::kDispatched;
      s.org = e.org;
      s.dispatched_at = e.at;
      s.accepted_at.reset();
      s.contacted_at.reset();
      s.resolved_at.reset();
      s.closed_at.reset();
      s.reviewed = false;
      s.rating.reset();
      s.solved.reset();
      s.resolution.clear();
      if (e.accept_by) s.accept_by = e.accept_by;
      if (e.resolve_by) s.resolve_by = e.resolve_by;
      break;
    case EventType::kInvalidated:
      s.status = CaseStatus::kInvalid;
      s.closed_at = e.at;
      break;
    case EventType::kMerged:
      s.status = CaseStatus::kMerged;
      s.merged_into = e.into;
      s.closed_at = e.at;
      break;
  }
  return s;
}

}  // namespace civicgrid::cases
