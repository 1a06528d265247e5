// A case (工单) as the case kind sees it: its state, the fold of its events, and the events themselves.
// Plain values; the rules live in lifecycle.h.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/time.h"
#include "ledger/event.h"
#include "privacy/sealed.h"

namespace civicgrid::cases {

using CaseId = ledger::ItemId;

enum class CaseStatus { kReceived, kDispatched, kAccepted, kResolved, kClosed, kInvalid, kMerged };
std::string_view Name(CaseStatus s);
std::optional<CaseStatus> ParseCaseStatus(std::string_view s);

enum class Rating { kSatisfied, kBasicallySatisfied, kDissatisfied };
std::string_view Name(Rating r);
std::optional<Rating> ParseRating(std::string_view s);

struct GeoPoint {
  double lat = 0;
  double lon = 0;
  bool operator==(const GeoPoint&) const = default;
};

struct Reporter {
  std::string name;
  privacy::Sealed phone;      // encrypted at rest (SM4), masked for display
  privacy::Sealed id_number;  // resident ID number, same
  bool anonymous = false;
  bool operator==(const Reporter&) const = default;
};

// What intake establishes once: everything a case is born with.
struct CaseOrigin {
  std::string number;
  std::string channel;
  std::string external_id;  // empty when the channel gave none
  std::string category;
  std::string title;
  std::string description;
  std::string address;
  std::optional<GeoPoint> location;  // WGS-84
  std::string grid;                  // code of the grid the location falls in, empty if none
  std::string region_path;           // "/county/town/community/grid/": the ancestors, for subtree filters
  Reporter reporter;
  bool operator==(const CaseOrigin&) const = default;
};

// The escalation ladder (升级): 小事不出社区、大事不出镇街、难事条块一起办. `joint` cases sit in the difficult-matters
// queue (滨不难 window) until departments and towns handle them together.
enum class Level { kCommunity, kTown, kJoint };
std::string_view Name(Level l);
std::optional<Level> ParseLevel(std::string_view s);

// A deadline and how far its alerts have gone. Stage: 0 none yet, 1 reminder (yellow, 催办), 2 overdue (red),
// 3 supervision notice (the day after). Which timers are active depends on the case's status
// (cases::IsTimerActive); a timer whose `due` moves starts again at stage 0.
struct Timer {
  TimePoint from{};
  TimePoint due{};
  int stage = 0;
  bool operator==(const Timer&) const = default;
};

// One department's part in a whistle (一哨联办).
struct WhistlePart {
  std::string org;
  bool lead = false;
  TimePoint check_in_by{};
  std::optional<TimePoint> checked_in_at;
  bool missed = false;  // the check-in deadline passed first (counted against the department)
  std::optional<TimePoint> reported_at;
  std::string note;
  bool operator==(const WhistlePart&) const = default;
};

struct Whistle {
  std::string by;  // who blew it
  TimePoint at{};
  std::vector<WhistlePart> parts;  // the lead first
  bool operator==(const Whistle&) const = default;
};

// A superior's flag (督办): a note and a new deadline, shown to the handler.
struct Supervision {
  std::string by;
  TimePoint at{};
  std::string note;
  TimePoint due{};
  bool operator==(const Supervision&) const = default;
};

// A further reporter of the same problem: joined before filing (nearby) or brought by a merge. Each is asked
// for a rating when the case is resolved.
struct JoinedReporter {
  Reporter reporter;
  CaseId from;     // the merged case it came from; 0 when the resident joined directly
  std::string by;  // who joined (login or key)
  std::optional<Rating> rating;
  std::optional<bool> solved;
  bool operator==(const JoinedReporter&) const = default;
};

// Why a case went where it went when a routing rule dispatched it.
struct Routing {
  std::int64_t rule = 0;
  std::string reason;
  bool operator==(const Routing&) const = default;
};

// The state of a case: the fold of its events (cases::Evolve) and the row of the `cases` projection.
struct Case {
  CaseId id;
  CaseOrigin origin;
  CaseStatus status = CaseStatus::kReceived;
  std::string org;  // current handler's code
  std::optional<TimePoint> accept_by;
  std::optional<TimePoint> resolve_by;
  std::optional<TimePoint> dispatched_at;
  std::optional<TimePoint> accepted_at;
  std::optional<TimePoint> contacted_at;
  std::optional<TimePoint> resolved_at;
  std::optional<TimePoint> closed_at;
  int returns = 0;
  double extension_days = 0;                // approved, in all
  std::optional<double> pending_extension;  // requested days awaiting a decision
  bool reviewed = false;                    // the centre approved the current resolution
  std::optional<Rating> rating;
  std::optional<bool> solved;
  std::string resolution;  // the handler's note on resolving
  std::optional<CaseId> merged_into;
  std::string taken_by;  // login of the user or channel key that took the case in (their own cases)
  Level level = Level::kCommunity;
  std::map<std::string, Timer> timers;  // accept, resolve, follow_up, supervision, check_in:ORG
  std::optional<Routing> routing;
  std::vector<CaseId> duplicates;  // suspected duplicates proposed at intake
  std::vector<JoinedReporter> joined;
  std::optional<Whistle> whistle;
  std::vector<Supervision> supervisions;
  std::string returned_by;  // the organisation whose return awaits the centre's decision (派单异议)
  TimePoint created_at{};
  TimePoint updated_at{};
  std::int64_t version = 0;  // number of events folded
  bool operator==(const Case&) const = default;
};

enum class EventType {
  kReceived,
  kDispatched,
  kAccepted,
  kContacted,
  kReturned,
  kExtensionRequested,
  kExtensionDecided,
  kResolved,
  kReviewed,
  kRated,
  kClosed,
  kReopened,
  kInvalidated,
  kMerged,
  kReminded,           // a deadline's yellow stage (催办)
  kOverdue,            // red: the deadline passed
  kSupervisionNotice,  // the day after an overdue resolve or supervision deadline
  kCheckInMissed,      // a whistled department did not check in in time
  kEscalated,
  kWhistled,
  kCheckedIn,
  kPartReported,
  kSupervised,
  kReturnDecided,
  kJoined,
};
std::string_view Name(EventType t);
std::optional<EventType> ParseEventType(std::string_view s);

// The events of a case, one struct each (the audit trail, 全程留痕). Their order in CaseEventBody is the order
// of EventType. event_fields.h names their fields for the store's and the API's codecs.
namespace events {
struct Received {
  CaseOrigin origin;
  std::optional<TimePoint> accept_by, resolve_by;  // the deadlines starting now
  std::vector<CaseId> duplicates;                  // suspected duplicates proposed at intake
  bool operator==(const Received&) const = default;
};
struct Dispatched {
  std::string org;
  std::optional<TimePoint> accept_by;
  std::optional<std::int64_t> rule;  // set when a routing rule chose the org
  std::string reason;                // the rule's explanation
  bool operator==(const Dispatched&) const = default;
};
struct Accepted {
  bool operator==(const Accepted&) const = default;
};
struct Contacted {
  std::string note;
  bool operator==(const Contacted&) const = default;
};
struct Returned {
  std::string org;  // the organisation that returned it
  std::string reason;
  bool operator==(const Returned&) const = default;
};
struct ExtensionRequested {
  double days = 0;
  std::string reason;
  bool operator==(const ExtensionRequested&) const = default;
};
struct ExtensionDecided {
  bool approve = false;
  std::string note;
  std::optional<double> days;           // the days that were asked for
  std::optional<TimePoint> resolve_by;  // the new deadline, when approved
  bool operator==(const ExtensionDecided&) const = default;
};
struct Resolved {
  std::string note;
  bool operator==(const Resolved&) const = default;
};
struct Reviewed {
  bool approve = false;
  std::string note;
  std::optional<TimePoint> due;  // approved: every reporter is to be asked by then (回访)
  bool operator==(const Reviewed&) const = default;
};
struct Rated {
  Rating rating = Rating::kSatisfied;
  bool solved = false;
  std::string comment;
  std::optional<int> reporter;  // n: the n-th joined reporter; none: the first reporter
  bool operator==(const Rated&) const = default;
};
struct Closed {
  bool operator==(const Closed&) const = default;
};
struct Reopened {
  std::string org;
  std::string reason;
  std::optional<TimePoint> accept_by, resolve_by;
  bool operator==(const Reopened&) const = default;
};
struct Invalidated {
  std::string reason;
  bool operator==(const Invalidated&) const = default;
};
struct Merged {
  CaseId into;
  bool operator==(const Merged&) const = default;
};
// A timer's stage fired: which timer ("accept", "resolve", "check_in:ORG" …), its due time, and for
// check-in timers the department.
struct TimerFired {
  std::string deadline;
  std::optional<TimePoint> due;
  std::string org;
  bool operator==(const TimerFired&) const = default;
};
struct Reminded : TimerFired {};
struct Overdue : TimerFired {};
struct SupervisionNotice : TimerFired {};
struct CheckInMissed : TimerFired {};
struct Escalated {
  std::optional<Level> level;
  std::string trigger;  // overdue, returned_twice, dissatisfied, supervisor_flag, check_in_missed, manual
  std::string org;      // escalated to the town: its organisation now handles the case, with fresh limits
  std::optional<TimePoint> accept_by, resolve_by;
  std::string reason;
  bool operator==(const Escalated&) const = default;
};
struct Whistled {
  std::string lead;
  std::vector<std::string> co;
  std::string note;
  std::optional<TimePoint> check_in_by;
  bool operator==(const Whistled&) const = default;
};
struct CheckedIn {
  std::string org;
  bool operator==(const CheckedIn&) const = default;
};
struct PartReported {
  std::string org;
  std::string note;
  bool operator==(const PartReported&) const = default;
};
struct Supervised {
  std::string note;
  std::optional<TimePoint> due;
  bool operator==(const Supervised&) const = default;
};
struct ReturnDecided {
  bool uphold = false;
  std::string org;  // upheld: where it goes now (改派); refused: back to the organisation that returned it
  std::string note;
  std::optional<TimePoint> accept_by;
  bool operator==(const ReturnDecided&) const = default;
};
struct Joined {
  Reporter reporter;
  std::optional<CaseId> from;  // the merged case it came from
  bool operator==(const Joined&) const = default;
};
}  // namespace events

using CaseEventBody =
    std::variant<events::Received, events::Dispatched, events::Accepted, events::Contacted, events::Returned,
                 events::ExtensionRequested, events::ExtensionDecided, events::Resolved, events::Reviewed,
                 events::Rated, events::Closed, events::Reopened, events::Invalidated, events::Merged, events::Reminded,
                 events::Overdue, events::SupervisionNotice, events::CheckInMissed, events::Escalated, events::Whistled,
                 events::CheckedIn, events::PartReported, events::Supervised, events::ReturnDecided, events::Joined>;
static_assert(std::variant_size_v<CaseEventBody> == size_t(EventType::kJoined) + 1);

// One change to a case: the envelope (ledger::Event: case id in `item`, seq, time, actor, command, channel,
// address) around one of the bodies above.
using CaseEvent = ledger::Event<CaseEventBody>;
inline EventType TypeOf(const CaseEvent& e) { return static_cast<EventType>(e.body.index()); }
// An empty body of the given type (decoding).
CaseEventBody EmptyBody(EventType t);

}  // namespace civicgrid::cases
