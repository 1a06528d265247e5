// A case (工单) as the case kind sees it: its state, the fold of its events, and the events themselves.
// Plain values; the rules live in lifecycle.h.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.h"
#include "privacy/sealed.h"

namespace civicgrid::cases {

using CaseId = std::int64_t;

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
  CaseId from = 0;  // the merged case it came from; 0 when the resident joined directly
  std::string by;   // who joined (login or key)
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
  CaseId id = 0;
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
  double extension_days = 0;                 // approved, in all
  std::optional<double> pending_extension;   // requested days awaiting a decision
  bool reviewed = false;                     // the centre approved the current resolution
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

// One change to a case: the audit trail (全程留痕). Which payload fields are set depends on the type.
struct CaseEvent {
  CaseId case_id = 0;
  std::int64_t seq = 0;  // 1-based; equals the case version after this event
  EventType type = EventType::kReceived;
  std::string actor;     // login of the user or key that acted
  TimePoint at{};
  std::optional<CaseOrigin> origin;  // received
  std::string org;                   // dispatched
  std::string text;                  // reason / note / comment
  std::optional<double> days;        // extension_requested
  std::optional<bool> approve;       // extension_decided, reviewed
  std::optional<Rating> rating;      // rated
  std::optional<bool> solved;        // rated
  std::optional<CaseId> into;        // merged
  std::optional<TimePoint> accept_by;   // deadlines this event set
  std::optional<TimePoint> resolve_by;
  std::optional<TimePoint> due;        // supervised, reviewed (follow-up), whistled (check-in)
  std::string deadline;                // reminded/overdue/…: the timer (accept, resolve, check_in:ORG …)
  std::optional<Level> level;          // escalated
  std::string trigger;                 // escalated: overdue, returned_twice, dissatisfied, supervisor_flag, …
  std::vector<std::string> orgs;       // whistled: the co-departments (org is the lead)
  std::optional<std::int64_t> rule;    // dispatched by a routing rule (text is the reason)
  std::vector<CaseId> duplicates;      // received: suspected duplicates
  std::optional<Reporter> reporter;    // joined
  std::optional<CaseId> from;          // joined: the merged case
  std::optional<int> reporter_index;   // rated: 0 the first reporter, n the n-th joined one
  bool operator==(const CaseEvent&) const = default;
};


}  // namespace civicgrid::cases
