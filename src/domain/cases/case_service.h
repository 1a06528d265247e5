// The case service: what is particular to cases around the ledger (src/ledger/ledger.h), which does the
// load → decide → commit → publish cycle for them. Intake checks and seals what a reporter typed, places the
// case on its grid, proposes duplicates and routes it by the rules; every other command gets its context
// (category, calendar, the town, a merge's target) here. Called from worker threads (it blocks on the store).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "domain/cases/case_kind.h"
#include "domain/cases/case_store.h"
#include "domain/cases/lifecycle.h"
#include "domain/cases/nearby.h"
#include "domain/dispatch/routing.h"
#include "geo/crs.h"
#include "ledger/ledger.h"
#include "privacy/personal_data.h"
#include "reference/directory.h"

namespace civicgrid::cases {

// Channels a case can come in by (GLOSSARY: channel).
const std::vector<std::string>& KnownChannels();

struct IntakeRequest {
  std::string channel;
  std::string external_id;
  std::string category;
  std::string title;
  std::string description;
  std::string address;
  std::optional<geo::LonLat> location;  // as given, in `crs`
  geo::Crs crs = geo::Crs::kWgs84;
  std::string region;  // for a case without a location: the region it concerns (code)
  // Reporter, as typed; the service validates, seals and masks the phone and ID numbers.
  std::string reporter_name;
  std::string reporter_phone;
  std::string reporter_id_number;
  bool anonymous = false;
  std::string idempotency_key;  // the Idempotency-Key header, if any
};

// The caller's right to a loaded case (case_access.h): OK, NotFound (may not see it; ids do not leak) or
// Forbidden. Applied after loading and before deciding.
using Guard = ledger::Ledger<CaseKind>::Guard;

// A reporter as typed, at intake and on a join.
struct ReporterInput {
  std::string name;
  std::string phone;
  std::string id_number;
  bool anonymous = false;
};
// The one rule for a reporter, shared by intake and joins: the name passes the text rule (common/text.h) and
// is at most 100 characters; phone and ID number, when given, must be valid and are normalised, then sealed.
// kInvalid names the field (reporter.name, reporter.phone, reporter.id_number).
Result<Reporter> TakeReporter(const ReporterInput& input, const privacy::Vault& vault);

struct JoinResult {
  Case c;
  int reporter = 0;  // which reporter of the case the joiner is (0: the first; n: the n-th joined one)
};

struct RevealedReporter {
  std::string name;
  std::string phone;
  std::string id_number;
};

struct IntakeResult {
  Case c;
  bool created = false;  // false: a repeat of an earlier intake, answered with that case
};

// Told of every committed change once it is durable (ledger::Ledger::Listener): cockpit, timers, duplicate
// index, stream.
using Listener = ledger::Ledger<CaseKind>::Listener;

class CaseService {
 public:
  // `vault` seals phone and ID numbers; it must outlive the service.
  CaseService(CaseStore& store, const Clock& clock, const reference::DirectoryHolder& directory,
              const privacy::Vault& vault, Rules rules = {});

  // A repeat intake answers with the earlier case if `guard` lets the caller see it, else 409.
  Result<IntakeResult> Intake(const IntakeRequest& request, const ledger::Origin& origin, const Guard& guard = {});
  Result<Case> Act(CaseId id, const Command& command, const ledger::Origin& origin, const Guard& guard = {});
  // A further reporter, validated like intake's; idempotent (cases::ReporterOf): a repeat changes nothing and
  // answers the same. `resident`: the caller's login when a signed-in resident joins for themselves.
  Result<JoinResult> Join(CaseId id, const ReporterInput& reporter, const std::string& resident,
                          const ledger::Origin& origin, const Guard& guard = {});
  Result<Case> Get(CaseId id, const Guard& guard = {}) { return ledger_.Get(id, guard); }
  Result<std::vector<CaseEvent>> Events(CaseId id, const Guard& guard = {}) { return ledger_.Events(id, guard); }
  Result<CasePage> List(const CaseQuery& query) { return store_.ListCases(query); }
  // Register before serving (not synchronised with commits).
  void Subscribe(Listener listener) { ledger_.Subscribe(std::move(listener)); }
  // Optional collaborators, set before serving: routing rules (intake dispatches by them) and the open-case
  // index (intake proposes duplicates from it).
  void SetRouting(const dispatch::RoutingHolder* routing) { routing_ = routing; }
  void SetOpenCaseIndex(const OpenCaseIndex* index) { nearby_ = index; }
  const Rules& rules() const { return kind_.rules(); }
  const CaseKind& kind() const { return kind_; }
  // Fills what the store keeps beside a row (bulk loads that write rows themselves).
  void CompleteWrite(CaseWrite& write) const { kind_.Complete(write); }
  // The timers' command: writes every alert now due on the case (nothing when none is).
  Result<Case> FireAlerts(CaseId id) { return ledger_.FireTimers(id); }
  // A reporter's full name, phone and ID number, decrypted (0: the first reporter; n: the n-th joined one, for
  // the follow-up call). The caller audits the reveal.
  Result<RevealedReporter> Reveal(CaseId id, const Guard& guard, int reporter = 0);

 private:
  Result<Context> ContextFor(const Case& state, TimePoint now, const ledger::Origin& origin) const;
  Result<IntakeResult> Existing(CaseId id, const Guard& guard);
  std::vector<CaseId> FindDuplicates(const CaseOrigin& origin, TimePoint now);
  Result<Case> Merge(CaseId id, CaseId into, const ledger::Origin& origin, const Guard& guard);

  CaseStore& store_;
  const reference::DirectoryHolder& directory_;
  const privacy::Vault& vault_;
  CaseKind kind_;
  ledger::Ledger<CaseKind> ledger_;
  const dispatch::RoutingHolder* routing_ = nullptr;
  const OpenCaseIndex* nearby_ = nullptr;
};

// Human case number: "GD" + date of intake (Asia/Shanghai) + "-" + the id, zero-padded.
std::string CaseNumber(TimePoint at, CaseId id);

}  // namespace civicgrid::cases
