// What the case kind keeps in the store: cases (events and their projection), their lookups and lists.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "domain/cases/case.h"
#include "domain/cases/case_kind.h"
#include "ledger/ledger.h"

namespace civicgrid::cases {

// One command's effect on one case, committed atomically: the events, the new projection row, and the
// idempotency key that maps to it. expected_version 0 means a new case.
struct CaseWrite {
  Case after;
  std::vector<CaseEvent> events;
  std::int64_t expected_version = 0;
  std::string idempotency_key;  // empty: none
  // Kept beside the row for start-up (filled by CaseKind::Complete): the cockpit's packed tally
  // (cases::Pack(TallyOf)) and the time of the case's next alert.
  std::int64_t tally = 0;
  std::optional<TimePoint> next_alert;
  // What the store keeps beside the row for lists and the cockpit, derived here in the domain (by
  // CaseService::CompleteWrite, from `after` and `events`) so that every backend writes it as given:
  std::string county;                         // the first code of the region path (distribution key; new cases)
  std::vector<std::string> whistle_orgs;      // the departments of the case's current whistle (none: no whistle)
  std::vector<std::string> missed_check_ins;  // one org per check-in that `events` record as missed
};

// What start-up needs of a case, read from columns without decoding the case.
struct CaseDigest {
  CaseId id;
  std::int64_t version = 0;
  cases::CaseStatus status = cases::CaseStatus::kReceived;
  std::string region_path, channel, category, org;
  TimePoint created_at{};
  std::int64_t tally = 0;
  std::optional<cases::GeoPoint> location;
  std::optional<TimePoint> next_alert;
};

// Why a CaseWrite was refused, beyond ordinary errors (these come back as kConflict with this in `field`).
inline constexpr const char* kDuplicateExternalId = "external_id";
inline constexpr const char* kDuplicateIdempotencyKey = ledger::kIdempotencyConflict;
inline constexpr const char* kVersionMismatch = ledger::kVersionConflict;

// Which cases a caller may see, as a list query sees it: the union of region subtrees, handling
// organisations and intake accounts. `all` lifts the restriction (admin).
struct Visibility {
  bool all = false;
  std::vector<std::string> region_paths;  // region_path starts with one of these
  std::vector<std::string> orgs;          // the current handler is one of these
  std::vector<std::string> taken_by;      // taken in by one of these logins or keys
};

struct CaseQuery {
  Visibility visibility{true, {}, {}, {}};
  // Full-text (q): words of two Chinese characters or more, or English words, all required; results ranked
  // by relevance and paged by `offset` instead of `before`. Nothing searchable in it: kInvalid on "q".
  std::string text;
  int offset = 0;
  std::optional<cases::Level> level;
  // Repeatable filters: a case matches when it matches any of the values (none: no filter).
  std::vector<cases::CaseStatus> statuses;
  std::string region_path;              // subtree: cases whose region_path starts with this
  std::vector<std::string> categories;  // subtrees: each code and every code under it (codes are prefixes)
  std::vector<std::string> orgs;
  std::string number;             // the case number, exactly (GD20261203-000042)
  std::optional<TimePoint> from;  // created_at >= from
  std::optional<TimePoint> to;    // created_at < to
  std::optional<CaseId> before;   // keyset cursor: ids below this
  int limit = 50;
};

struct CasePage {
  std::vector<Case> items;
  std::optional<CaseId> next_before;
  std::optional<int> next_offset;  // ranked (full-text) lists
};

// Thread-safe; may block: call from worker threads, never from I/O threads.
class CaseStore : public ledger::ItemStore<CaseKind> {
 public:
  // Beside the ledger's NextId, Load, LoadEvents, FindByIdempotencyKey and Commit (one case, or several in
  // one transaction for a merge; durable when it returns):

  // Every case (or every open one: received, dispatched, accepted, resolved), for rebuilding in-memory
  // structures at start. Not for request paths.
  virtual Status ScanCases(bool open_only, const std::function<void(Case&&)>& fn) = 0;
  // Every case's digest, in no particular order: what the in-memory structures are rebuilt from at start.
  virtual Status ScanDigests(const std::function<void(const CaseDigest&)>& fn) = 0;
  virtual Result<std::optional<CaseId>> FindByExternalId(const std::string& channel,
                                                         const std::string& external_id) = 0;
  virtual Result<CasePage> ListCases(const CaseQuery& query) = 0;
  virtual Result<std::int64_t> CountCases() = 0;

  // Whistle check-ins each organisation missed, in all (kept with the check_in_missed events).
  virtual Result<std::map<std::string, std::int64_t>> MissedCheckIns() = 0;
};

}  // namespace civicgrid::cases
