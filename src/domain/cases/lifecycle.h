// The case state machine (DESIGN.md "The flow of a change"): Decide turns a command into events or an
// error, Evolve folds an event into the state. Both are pure — time, the calendar and the category's limits
// come in as values — so every transition is tested without a database, a clock or a socket.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "calendar/calendar.h"
#include "common/result.h"
#include "domain/cases/case.h"
#include "reference/types.h"

namespace civicgrid::cases {

using cases::Case;
using cases::CaseEvent;

struct Dispatch {
  std::string org;
  std::optional<std::int64_t> rule;  // set when a routing rule chose the org (intake)
  std::string reason;                // the rule's explanation
};
struct Accept {};
struct Contact {
  std::string note;
};
struct Return {
  std::string reason;
};
struct RequestExtension {
  double days = 0;
  std::string reason;
};
struct DecideExtension {
  bool approve = false;
  std::string note;
};
struct Resolve {
  std::string note;
};
struct Review {
  bool approve = false;
  std::string note;
};
struct Rate {
  cases::Rating rating;
  bool solved = false;
  std::string comment;
  int reporter = 0;  // 0: the first reporter; n: the n-th joined reporter
};
struct Close {};
struct Reopen {
  std::string reason;
};
struct MarkInvalid {
  std::string reason;
};
struct Merge {
  cases::CaseId into;
};
// The scheduler: write every alert of the case's timers that is due at ctx.now (never offered to callers).
struct FireAlerts {};
struct Escalate {
  std::string reason;
};
// 吹哨: the lead department and co-departments must check in within check_in_hours (on the clock).
struct BlowWhistle {
  std::string lead;
  std::vector<std::string> co;
  std::optional<double> check_in_hours;
  std::string note;
};
struct CheckIn {
  std::string org;
};
struct ReportPart {
  std::string org;
  std::string note;
};
// 督办: a note and a new deadline; `escalate` is the supervisor's flag (a configurable escalation trigger).
struct Supervise {
  std::string note;
  TimePoint due{};
  bool escalate = false;
};
// The centre decides a disputed return (派单异议): uphold it and re-dispatch to `org` (改派), or refuse it and
// send the case back to the organisation that returned it.
struct DecideReturn {
  bool uphold = false;
  std::string org;
  std::string note;
};
// Another reporter of the same problem (a resident joining from nearby, or a merged case's reporter).
struct Join {
  cases::Reporter reporter;
  cases::CaseId from;
  std::string resident;  // login of a signed-in resident joining for themselves; empty when joined on behalf
};
// Which reporter of the case a join names already (0: the first; n: the n-th joined one), or -1: the same
// normalised phone (by its keyed hash, never decrypted), or the same signed-in resident. Joins are idempotent.
int ReporterOf(const Case& c, const Join& join);

using Command = std::variant<Dispatch, Accept, Contact, Return, RequestExtension, DecideExtension, Resolve, Review,
                             Rate, Close, Reopen, MarkInvalid, Merge, FireAlerts, Escalate, BlowWhistle, CheckIn,
                             ReportPart, Supervise, DecideReturn, Join>;

// The action's name as the API spells it (the sub-resource under /cases/{id}/).
std::string ActionName(const Command& command);

// County-wide rules (data/ defaults; later configurable).
struct Rules {
  double return_window_days = 2;   // a return is allowed within this many working days of dispatch
  double max_extension_days = 10;  // extensions add at most this many working days in all
  size_t max_text = 2000;          // reasons, notes and comments, in characters (UTF-8 code points)
  // Resolve limits of this many days or fewer are urgent matters (outages, hazards) and run on the clock,
  // 7×24, like the hotline; longer ones count working days only.
  double clock_days_up_to = 1.0;
  double warn_share = 0.8;      // a deadline's reminder (yellow) fires at this share of its time
  double follow_up_days = 3;    // working days to ask every reporter once the centre approves a resolution
  double check_in_hours = 0.5;  // whistle check-in limit when none is given (as where 吹哨报到 began)
  // Escalation triggers: overdue (resolve or supervision deadline passed), returned_twice, dissatisfied,
  // supervisor_flag, check_in_missed. `escalate` by hand always works.
  std::set<std::string> escalate_on = {"overdue", "returned_twice", "dissatisfied", "supervisor_flag",
                                       "check_in_missed"};
  // Duplicates proposed at intake: open cases of the same category this near, this recent, this similar.
  double duplicate_radius_m = 200;
  double duplicate_window_days = 7;
  double duplicate_min_similarity = 0.3;
};

// Everything Decide needs besides the state and the command, resolved by the service beforehand.
struct Context {
  TimePoint now{};
  std::string actor;
  const reference::Category* category = nullptr;  // the case's category (time limits)
  const calendar::WorkCalendar* calendar = nullptr;
  Rules rules;
  const Case* merge_target = nullptr;     // for Merge: the case named by `into`, if it exists
  std::string town_org;                   // the organisation of the case's town: where escalation to `town` sends it
  std::vector<cases::CaseId> duplicates;  // for Receive: suspected duplicates found by the service
  std::shared_ptr<const void> snapshot;   // keeps what `category` and `calendar` point into alive
};

// Intake: the first event of a new case. Deadlines start now.
CaseEvent Receive(cases::CaseId id, cases::CaseOrigin origin, const Context& ctx);

Result<std::vector<CaseEvent>> Decide(const Case& state, const Command& command, const Context& ctx);

Case Evolve(Case state, const CaseEvent& event);

// ---- Timers and alerts ----
bool IsOpen(const Case& c);            // not closed, invalid or merged
bool AnyoneToRate(const Case& c);      // a reporter, first or joined, has not rated the resolution yet
bool RatedBadly(const Case& c);        // a reporter rated it dissatisfied or unsolved
bool IsHandling(cases::CaseStatus s);  // received, dispatched or accepted: still with the centre or a handler
// Whether a timer counts in this state (accept while dispatched; resolve and supervision until resolved;
// follow_up while reporters are to be asked; check_in:ORG until that department checks in).
bool IsTimerActive(const Case& c, const std::string& timer);
struct Alert {
  TimePoint at{};
  std::string timer;
  int stage = 0;  // the stage this alert reaches (1 reminder, 2 overdue, 3 supervision notice)
};
// The earliest alert still to fire on an active timer; none when nothing is pending.
std::optional<Alert> NextAlert(const Case& c, const Rules& rules);
// The cockpit's lights: red when an active timer is overdue, yellow when one has had its reminder.
enum class Light { kNone, kYellow, kRed };
Light LightOf(const Case& c);

// A case's part in the cockpit packed into one integer that the store keeps beside the row, so that start-up
// rebuilds the aggregates from columns instead of decoding every case. Bits: 0 reached a handler, 1 accepted
// in time, 2 resolved (a valid case), 3–4 the light, 8–23 ratings given, 24–39 of them satisfied.
struct Tally {
  bool reached = false, responded = false, resolved = false;
  Light light = Light::kNone;
  int rated = 0, satisfied = 0;
  bool operator==(const Tally&) const = default;
};
Tally TallyOf(const Case& c);
std::int64_t Pack(const Tally& t);
Tally UnpackTally(std::int64_t packed);

// The actions allowed in this state, as the API names them; a 409 lists them.
std::vector<std::string> AllowedActions(const Case& state);

size_t Utf8Length(std::string_view s);

// A reporter's name as every door takes it (intake, join, merge): the text rule, at most 100 characters.
Result<std::string> CleanReporterName(std::string_view name);

}  // namespace civicgrid::cases
