#include "domain/cases/actions.h"

#include <limits>

#include "common/text.h"
#include "domain/cases/case_access.h"

namespace civicgrid::cases {
namespace {

// ---- reading commands from a body ----

// NOLINTBEGIN(bugprone-macro-parentheses): `var` names the variable declared.
#define TRY_GET(var, expr) \
  auto var = (expr);       \
  if (!var.ok()) return var.error()
// NOLINTEND(bugprone-macro-parentheses)

Result<std::string> Text(const Fields& b, const char* key, bool required) {
  TRY_GET(v, b.String(key, required));
  return v->value_or("");
}

// What a person wrote (notes, reasons, comments): cleaned by the one text rule (common/text.h) as it is read.
Result<std::string> FreeText(const Fields& b, const char* key, bool required) {
  TRY_GET(v, Text(b, key, required));
  return text::Clean(*v, key, text::Lines::kMany);
}

Result<Command> ParseDispatch(const Fields& b) {
  TRY_GET(org, Text(b, "org", true));
  return Command{Dispatch{*org}};
}
Result<Command> ParseContact(const Fields& b) {
  TRY_GET(note, FreeText(b, "note", false));
  return Command{Contact{*note}};
}
Result<Command> ParseReturn(const Fields& b) {
  TRY_GET(reason, FreeText(b, "reason", true));
  return Command{Return{*reason}};
}
Result<Command> ParseExtension(const Fields& b) {
  TRY_GET(days, b.Number("days", true));
  TRY_GET(reason, FreeText(b, "reason", true));
  return Command{RequestExtension{**days, *reason}};
}
Result<Command> ParseExtensionDecision(const Fields& b) {
  TRY_GET(approve, b.Bool("approve", true));
  TRY_GET(note, FreeText(b, "note", false));
  return Command{DecideExtension{**approve, *note}};
}
Result<Command> ParseResolve(const Fields& b) {
  TRY_GET(note, FreeText(b, "note", true));
  return Command{Resolve{*note}};
}
Result<Command> ParseReview(const Fields& b) {
  TRY_GET(approve, b.Bool("approve", true));
  TRY_GET(note, FreeText(b, "note", false));
  return Command{Review{**approve, *note}};
}
Result<Command> ParseRating(const Fields& b) {
  TRY_GET(text, Text(b, "rating", true));
  auto rating = cases::ParseRating(*text);
  if (!rating) return Invalid("rating", "rating must be satisfied, basically_satisfied or dissatisfied");
  TRY_GET(solved, b.Bool("solved", true));
  TRY_GET(comment, FreeText(b, "comment", false));
  TRY_GET(reporter, b.Integer("reporter", false, 0, 1000,
                              "reporter must be 0 (the first reporter) or the number of a joined reporter"));
  return Command{Rate{*rating, **solved, *comment, int(reporter->value_or(0))}};
}
Result<Command> ParseEmpty(const Fields&, Command command) { return command; }
Result<Command> ParseAccept(const Fields& b) { return ParseEmpty(b, Accept{}); }
Result<Command> ParseClose(const Fields& b) { return ParseEmpty(b, Close{}); }
Result<Command> ParseReopen(const Fields& b) {
  TRY_GET(reason, FreeText(b, "reason", true));
  return Command{Reopen{*reason}};
}
Result<Command> ParseInvalid(const Fields& b) {
  TRY_GET(reason, FreeText(b, "reason", true));
  return Command{MarkInvalid{*reason}};
}
Result<Command> ParseMerge(const Fields& b) {
  TRY_GET(into, b.Integer("into", true, std::numeric_limits<std::int64_t>::min(),
                          std::numeric_limits<std::int64_t>::max(), "into must be a case id (an integer)"));
  return Command{Merge{CaseId(**into)}};
}
Result<Command> ParseEscalate(const Fields& b) {
  TRY_GET(reason, FreeText(b, "reason", true));
  return Command{Escalate{*reason}};
}
Result<Command> ParseWhistle(const Fields& b) {
  BlowWhistle w;
  TRY_GET(lead, Text(b, "lead", true));
  w.lead = *lead;
  TRY_GET(co, b.Strings("co"));
  w.co = co->value_or(std::vector<std::string>{});
  TRY_GET(hours, b.Number("check_in_hours", false));
  w.check_in_hours = *hours;
  TRY_GET(note, FreeText(b, "note", false));
  w.note = *note;
  return Command{std::move(w)};
}
Result<Command> ParseCheckIn(const Fields& b) {
  TRY_GET(org, Text(b, "org", false));
  return Command{CheckIn{*org}};
}
Result<Command> ParsePart(const Fields& b) {
  TRY_GET(org, Text(b, "org", false));
  TRY_GET(note, FreeText(b, "note", true));
  return Command{ReportPart{*org, *note}};
}
Result<Command> ParseSupervise(const Fields& b) {
  TRY_GET(note, FreeText(b, "note", true));
  TRY_GET(due_text, Text(b, "due", true));
  auto due = ParseTime(*due_text);
  if (!due) return Invalid("due", "due must be an RFC 3339 time");
  TRY_GET(escalate, b.Bool("escalate", false));
  return Command{Supervise{*note, *due, escalate->value_or(false)}};
}
Result<Command> ParseReturnDecision(const Fields& b) {
  TRY_GET(uphold, b.Bool("uphold", true));
  TRY_GET(org, Text(b, "org", false));
  TRY_GET(note, FreeText(b, "note", false));
  return Command{DecideReturn{**uphold, *org, *note}};
}

#undef TRY_GET

// ---- states ----

bool Handling(const Case& s) { return IsHandling(s.status); }
bool Is(const Case& s, CaseStatus status) { return s.status == status; }
bool Reviewed(const Case& s) { return Is(s, CaseStatus::kResolved) && s.reviewed; }
std::string NoMore(const Case&) { return {}; }

// ---- completing commands with what the caller knows ----

// A department checks in (and reports its part) for itself; one who acts for several names it ("org").
Status CompleteWhistlePart(Command& command, const access::Subject& who, const Case& c,
                           const reference::Directory& dir) {
  std::string* org = nullptr;
  if (auto* x = std::get_if<CheckIn>(&command)) org = &x->org;
  if (auto* x = std::get_if<ReportPart>(&command)) org = &x->org;
  if (!org) return OkStatus();
  if (!org->empty()) {
    if (!ActsFor(who, *org, dir)) return Error{ErrorCode::kForbidden, "you do not act for '" + *org + "'", {}, {}};
    return OkStatus();
  }
  const auto mine = WhistleOrgsOf(who, c, dir);
  if (mine.empty()) return Error{ErrorCode::kForbidden, "you act for no department of this whistle", {}, {}};
  if (mine.size() > 1) return Invalid("org", "you act for several departments of this whistle: name one as org");
  *org = mine[0];
  return OkStatus();
}

// Ratings of joined reporters are taken by the centre's follow-up call.
Status CompleteRating(Command& command, const access::Subject& who, const Case& c, const reference::Directory&) {
  const auto* rate = std::get_if<Rate>(&command);
  if (rate && rate->reporter != 0 && !RecordsFollowUps(who, c))
    return Error{ErrorCode::kForbidden, "only the centre records the ratings of joined reporters", {}, {}};
  return OkStatus();
}

// The organisations a command names must serve the case's county (issue 16: a Funing dispatcher sent a case
// to Xiangshui's bureau).
Status CompleteDispatch(Command& command, const access::Subject&, const Case& c, const reference::Directory& dir) {
  return InJurisdiction("org", std::get<Dispatch>(command).org, c, dir);
}
Status CompleteReturnDecision(Command& command, const access::Subject&, const Case& c,
                              const reference::Directory& dir) {
  const auto& d = std::get<DecideReturn>(command);
  return d.org.empty() ? OkStatus() : InJurisdiction("org", d.org, c, dir);
}
Status CompleteWhistle(Command& command, const access::Subject&, const Case& c, const reference::Directory& dir) {
  const auto& w = std::get<BlowWhistle>(command);
  if (auto st = InJurisdiction("lead", w.lead, c, dir); !st) return st;
  for (const auto& o : w.co)
    if (auto st = InJurisdiction("co", o, c, dir); !st) return st;
  return OkStatus();
}
Status CompleteEscalation(Command&, const access::Subject& who, const Case& c, const reference::Directory&) {
  return MayEscalateFrom(who, c);
}

const std::vector<Action>& Table() {
  static const std::vector<Action> kActions = {
      {"dispatch", kCommandOf<Dispatch>, ParseDispatch, [](const Case& s) { return Is(s, CaseStatus::kReceived); },
       NoMore, MayDispatch, CompleteDispatch},
      {"return/decision", kCommandOf<DecideReturn>, ParseReturnDecision,
       [](const Case& s) { return Is(s, CaseStatus::kReceived) && !s.returned_by.empty(); },
       [](const Case&) -> std::string { return "no return awaits a decision"; }, MayCentre, CompleteReturnDecision},
      {"accept", kCommandOf<Accept>, ParseAccept, [](const Case& s) { return Is(s, CaseStatus::kDispatched); }, NoMore,
       MayHandle},
      {"contact", kCommandOf<Contact>, ParseContact,
       [](const Case& s) { return Is(s, CaseStatus::kAccepted) && !s.contacted_at; },
       [](const Case& s) -> std::string { return s.contacted_at ? "the reporter was already contacted" : ""; },
       MayHandle},
      {"return", kCommandOf<Return>, ParseReturn,
       [](const Case& s) { return Is(s, CaseStatus::kDispatched) || (Is(s, CaseStatus::kAccepted) && !s.whistle); },
       [](const Case& s) -> std::string {
         return s.whistle ? "a whistled case is not returned; its departments report" : "";
       },
       MayHandle},
      {"extension", kCommandOf<RequestExtension>, ParseExtension,
       [](const Case& s) { return Is(s, CaseStatus::kAccepted) && !s.pending_extension; },
       [](const Case& s) -> std::string { return s.pending_extension ? "an extension request awaits a decision" : ""; },
       MayHandle},
      {"extension/decision", kCommandOf<DecideExtension>, ParseExtensionDecision,
       [](const Case& s) { return Is(s, CaseStatus::kAccepted) && s.pending_extension.has_value(); },
       [](const Case& s) -> std::string { return Is(s, CaseStatus::kAccepted) ? "no extension is pending" : ""; },
       MayCentre},
      {"resolve", kCommandOf<Resolve>, ParseResolve, [](const Case& s) { return Is(s, CaseStatus::kAccepted); }, NoMore,
       MayHandle},
      {"invalid", kCommandOf<MarkInvalid>, ParseInvalid,
       [](const Case& s) { return Is(s, CaseStatus::kReceived) || Is(s, CaseStatus::kDispatched); }, NoMore, MayCentre},
      {"merge", kCommandOf<Merge>, ParseMerge,
       [](const Case& s) { return Is(s, CaseStatus::kReceived) || Is(s, CaseStatus::kDispatched); }, NoMore, MayCentre},
      {"review", kCommandOf<Review>, ParseReview,
       [](const Case& s) { return Is(s, CaseStatus::kResolved) && !s.reviewed; }, NoMore, MayCentre},
      {"rating", kCommandOf<Rate>, ParseRating, [](const Case& s) { return Reviewed(s) && AnyoneToRate(s); },
       [](const Case& s) -> std::string {
         if (Is(s, CaseStatus::kResolved) && s.rating) return "it is already rated";
         if (Is(s, CaseStatus::kResolved)) return "the centre has not reviewed the resolution";
         return "";
       },
       MayRate, CompleteRating},
      {"close", kCommandOf<Close>, ParseClose, Reviewed,
       [](const Case& s) -> std::string {
         return Is(s, CaseStatus::kResolved) ? "the centre has not reviewed the resolution" : "";
       },
       MayCentre},
      {"reopen", kCommandOf<Reopen>, ParseReopen,
       [](const Case& s) { return (Reviewed(s) || Is(s, CaseStatus::kClosed)) && RatedBadly(s); },
       [](const Case&) -> std::string { return "only a case rated dissatisfied or unsolved can be reopened"; },
       MayCentre},
      {"whistle", kCommandOf<BlowWhistle>, ParseWhistle, [](const Case& s) { return Handling(s) && !s.whistle; },
       [](const Case& s) -> std::string { return s.whistle ? "the whistle was already blown on it" : ""; }, MayWhistle,
       CompleteWhistle},
      {"check-in", kCommandOf<CheckIn>, ParseCheckIn,
       [](const Case& s) { return Handling(s) && s.whistle.has_value(); },
       [](const Case& s) -> std::string { return s.whistle ? "" : "no whistle was blown on it"; }, MayReportToWhistle,
       CompleteWhistlePart},
      {"part", kCommandOf<ReportPart>, ParsePart, [](const Case& s) { return Handling(s) && s.whistle.has_value(); },
       [](const Case& s) -> std::string { return s.whistle ? "" : "no whistle was blown on it"; }, MayReportToWhistle,
       CompleteWhistlePart},
      {"supervise", kCommandOf<Supervise>, ParseSupervise, Handling, NoMore, MaySupervise},
      {"escalate", kCommandOf<Escalate>, ParseEscalate,
       [](const Case& s) { return (Handling(s) || Reviewed(s)) && s.level != Level::kJoint; },
       [](const Case& s) -> std::string { return s.level == Level::kJoint ? "it is already in joint handling" : ""; },
       MayEscalate, CompleteEscalation},
      {"join", kCommandOf<Join>, nullptr, [](const Case& s) { return Handling(s) || Is(s, CaseStatus::kResolved); },
       NoMore, MayJoin},
      // The timers' command: never offered to callers, never refused by state (it writes what is due).
      {"alerts", kCommandOf<FireAlerts>, nullptr, [](const Case&) { return false; }, NoMore,
       [](const access::Subject&, const Case&, const reference::Directory&) { return false; }},
  };
  return kActions;
}

}  // namespace

const std::vector<Action>& Actions() { return Table(); }

const Action* FindAction(std::string_view name) {
  for (const auto& a : Table())
    if (a.name == name) return &a;
  return nullptr;
}

const Action& ActionOf(const Command& command) {
  static const std::vector<const Action*> kByCommand = [] {
    std::vector<const Action*> by(std::variant_size_v<Command>, nullptr);
    for (const auto& a : Table()) by[a.command] = &a;
    return by;
  }();
  return *kByCommand[command.index()];
}

}  // namespace civicgrid::cases
