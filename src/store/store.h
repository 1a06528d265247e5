// The Store interface: everything the services persist, backend-neutral. SQLite (sqlite/) is the default;
// PostgreSQL follows behind the same interface. No SQL, no driver types above src/store.
// All methods are thread-safe and may block: call them from worker threads, never from I/O threads.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "model/model.h"

namespace civicgrid::store {

using model::Case;
using model::CaseEvent;
using model::CaseId;

// One command's effect on one case, committed atomically: the events, the new projection row, and the
// idempotency key that maps to it. expected_version 0 means a new case.
struct CaseWrite {
  Case after;
  std::vector<CaseEvent> events;
  std::int64_t expected_version = 0;
  std::string idempotency_key;  // empty: none
  // Kept beside the row for start-up (filled by the case service): the cockpit's packed tally
  // (cases::Pack(TallyOf)) and the time of the case's next alert.
  std::int64_t tally = 0;
  std::optional<TimePoint> next_alert;
};

// What start-up needs of a case, read from columns without decoding the case.
struct CaseDigest {
  CaseId id = 0;
  std::int64_t version = 0;
  model::CaseStatus status = model::CaseStatus::kReceived;
  std::string region_path, channel, category, org;
  TimePoint created_at{};
  std::int64_t tally = 0;
  std::optional<model::GeoPoint> location;
  std::optional<TimePoint> next_alert;
};

// Why a CaseWrite was refused, beyond ordinary errors (these come back as kConflict with this in `field`).
inline constexpr const char* kDuplicateExternalId = "external_id";
inline constexpr const char* kDuplicateIdempotencyKey = "Idempotency-Key";
inline constexpr const char* kVersionMismatch = "version";

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
  std::optional<model::Level> level;
  std::optional<model::CaseStatus> status;
  std::string region_path;   // subtree: cases whose region_path starts with this
  std::string category;      // subtree: this code and every code under it (codes are prefixes)
  std::string org;
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

// Routing (M11 unified command): cases of this category subtree in this region subtree go to this
// organisation. Empty category or region: any.
struct RoutingRule {
  std::int64_t id = 0;
  std::string category;
  std::string region;
  std::string org;
  std::string created_by;
  TimePoint created_at{};
  bool operator==(const RoutingRule&) const = default;
};

struct User {
  std::int64_t id = 0;
  std::string login;
  std::string password_hash;  // libsodium crypto_pwhash_str (Argon2id)
  bool disabled = false;
  std::vector<std::pair<std::string, std::string>> roles;  // (role, scope: a region or org code, a channel)
  int failed_logins = 0;            // since the last success
  TimePoint locked_until{};         // after repeated failures
  TimePoint password_changed_at{};
  std::string totp_secret;          // base32; empty when the user has no second factor
};

// The security audit log (等保 2.0): logins, failures, permission changes, reveals of personal data, exports.
// Append-only; kept at least six months.
struct AuditRecord {
  std::int64_t id = 0;
  TimePoint at{};
  std::string actor;
  std::string action;  // login, login_failed, locked_out, logout, token_issued, user_added, user_disabled, …
  std::string target;  // what it was about: a login, a case id
  std::string detail;
  std::string remote;  // peer address, or "cli"
};

struct Token {
  std::string hash;  // hex of the token's hash; the token itself is never stored
  std::int64_t user_id = 0;
  TimePoint expires_at{};
};

class Store {
 public:
  virtual ~Store() = default;

  // Reference data. Upserts run in one transaction each: all rows or none.
  virtual Status UpsertRegions(const std::vector<model::Region>& regions) = 0;
  virtual Result<std::vector<model::Region>> LoadRegions() = 0;
  virtual Status UpsertOrgs(const std::vector<model::Org>& orgs) = 0;
  virtual Result<std::vector<model::Org>> LoadOrgs() = 0;
  virtual Status UpsertCategories(const std::vector<model::Category>& categories) = 0;
  virtual Result<std::vector<model::Category>> LoadCategories() = 0;
  // Holidays as CSV text (the shipped format), so the calendar module owns its parsing.
  virtual Status SaveHolidays(const std::string& csv) = 0;
  virtual Result<std::string> LoadHolidays() = 0;
  // Small named values of the store itself (e.g. which projection format its rows are in).
  virtual Result<std::string> GetSetting(const std::string& key) = 0;  // "" when unset
  virtual Status PutSetting(const std::string& key, const std::string& value) = 0;
  // Grows with every change to reference data, so a server notices imports made by another process.
  virtual Result<std::int64_t> ReferenceVersion() = 0;

  // Cases. CommitCase returns only once the write is durable.
  virtual CaseId NextCaseId() = 0;
  virtual Status CommitCase(const CaseWrite& write) = 0;
  // Several cases in one transaction (a merge: the merged case and the case that takes its reporters).
  virtual Status CommitCases(const std::vector<CaseWrite>& writes) = 0;
  // Every case (or every open one: received, dispatched, accepted, resolved), for rebuilding in-memory
  // structures at start. Not for request paths.
  virtual Status ScanCases(bool open_only, const std::function<void(Case&&)>& fn) = 0;
  // Every case's digest, in no particular order: what the in-memory structures are rebuilt from at start.
  virtual Status ScanDigests(const std::function<void(const CaseDigest&)>& fn) = 0;
  virtual Result<std::optional<Case>> GetCase(CaseId id) = 0;
  virtual Result<std::optional<CaseId>> FindByExternalId(const std::string& channel, const std::string& external_id) = 0;
  virtual Result<std::optional<CaseId>> FindByIdempotencyKey(const std::string& key) = 0;
  virtual Result<std::vector<CaseEvent>> LoadEvents(CaseId id) = 0;
  virtual Result<CasePage> ListCases(const CaseQuery& query) = 0;
  virtual Result<std::int64_t> CountCases() = 0;

  // Whistle check-ins each organisation missed, in all (kept with the check_in_missed events).
  virtual Result<std::map<std::string, std::int64_t>> MissedCheckIns() = 0;

  // Routing rules (reference data: changes bump ReferenceVersion).
  virtual Result<std::vector<RoutingRule>> ListRoutingRules() = 0;
  virtual Result<std::int64_t> AddRoutingRule(const RoutingRule& rule) = 0;
  virtual Status DeleteRoutingRule(std::int64_t id) = 0;  // kNotFound when there is none

  // Accounts.
  virtual Result<std::int64_t> AddUser(const User& user) = 0;
  virtual Result<std::optional<User>> FindUser(const std::string& login) = 0;
  virtual Result<std::optional<User>> FindUserById(std::int64_t id) = 0;
  virtual Result<std::vector<User>> ListUsers() = 0;
  virtual Status SetUserDisabled(const std::string& login, bool disabled) = 0;
  virtual Status SetPassword(std::int64_t user_id, const std::string& hash, TimePoint at) = 0;
  // Counts a failed login and sets the lock (locked_until in the past: not locked).
  virtual Status RecordLoginFailure(std::int64_t user_id, int failed_logins, TimePoint locked_until) = 0;
  virtual Status RecordLoginSuccess(std::int64_t user_id) = 0;
  // Marks a one-time code's time step used (RFC 6238 §5.2: a code is good once). False when this step or a
  // later one was used already; atomic, so two logins racing with one code cannot both win.
  virtual Result<bool> ClaimTotpStep(std::int64_t user_id, std::int64_t step) = 0;
  virtual Status AddToken(const Token& token) = 0;
  virtual Result<std::optional<Token>> FindToken(const std::string& hash) = 0;
  virtual Status DeleteToken(const std::string& hash) = 0;

  virtual Status AppendAudit(const AuditRecord& record) = 0;
  // Newest first; ids below `before` when given.
  virtual Result<std::vector<AuditRecord>> ListAudit(std::optional<std::int64_t> before, int limit) = 0;

  // ---- operations ----
  // The store's own lines for /metrics (Prometheus text format), e.g. how long writes wait and commit.
  virtual std::string MetricsText() const { return ""; }
};

struct SqliteOptions {
  std::string path;            // the database file
  int readers = 4;             // read connections in the pool
  bool synchronous_full = true;  // fsync on every commit (durable acknowledgements)
};

// Opens (creating and migrating as needed) the SQLite store.
Result<std::unique_ptr<Store>> OpenSqlite(const SqliteOptions& options);
// For migration tests: stops at schema `migrate_to` (-1: latest).
Result<std::unique_ptr<Store>> OpenSqliteAt(const SqliteOptions& options, int migrate_to);

}  // namespace civicgrid::store
