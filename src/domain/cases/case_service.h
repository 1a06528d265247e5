// The case service: loads state, asks the pure lifecycle to decide, commits events and the projection in
// one store transaction, and retries a command that lost a race on the same case. Called from worker
// threads (it blocks on the store); holds no state of its own beyond its collaborators.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <array>
#include <mutex>

#include "domain/cases/lifecycle.h"
#include "domain/cases/nearby.h"
#include "domain/dispatch/routing.h"
#include "common/result.h"
#include "common/time.h"
#include <functional>

#include "geo/crs.h"
#include "privacy/personal_data.h"
#include "reference/directory.h"
#include "store/store.h"

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

// The caller's right to a loaded case, decided above (auth/policy.h): OK, NotFound (may not see it; ids do
// not leak) or Forbidden. The service applies it after loading and before deciding.
using Guard = std::function<Status(const Case&)>;

struct RevealedReporter {
  std::string name;
  std::string phone;
  std::string id_number;
};

struct IntakeResult {
  Case c;
  bool created = false;  // false: a repeat of an earlier intake, answered with that case
};

// Told of every committed change once it is durable, on the committing thread: `before` (null for a new
// case), `after` and the events. Listeners (cockpit, scheduler, duplicate index, stream) must be quick and
// thread-safe; changes to different cases may arrive in any order, changes to one case carry its version.
using Listener =
    std::function<void(const Case* before, const Case& after, const std::vector<CaseEvent>& events)>;

class CaseService {
 public:
  // `vault` seals phone and ID numbers; it must outlive the service.
  CaseService(store::Store& store, const Clock& clock, const reference::DirectoryHolder& directory,
              const privacy::Vault& vault, Rules rules = {});

  // A repeat intake answers with the earlier case if `guard` lets the caller see it, else 409.
  Result<IntakeResult> Intake(const IntakeRequest& request, const std::string& actor, const Guard& guard = {});
  Result<Case> Act(cases::CaseId id, const Command& command, const std::string& actor, const Guard& guard = {});
  Result<Case> Get(cases::CaseId id, const Guard& guard = {});
  Result<std::vector<CaseEvent>> Events(cases::CaseId id, const Guard& guard = {});
  Result<cases::CasePage> List(const cases::CaseQuery& query);
  // Register before serving (not synchronised with Publish).
  void Subscribe(Listener listener) { listeners_.push_back(std::move(listener)); }
  // Optional collaborators, set before serving: routing rules (intake dispatches by them) and the open-case
  // index (intake proposes duplicates from it).
  void SetRouting(const dispatch::RoutingHolder* routing) { routing_ = routing; }
  void SetOpenCaseIndex(const OpenCaseIndex* index) { nearby_ = index; }
  const Rules& rules() const { return rules_; }
  // Fills what the store keeps beside a row: the cockpit tally and the next alert (for start-up), the county,
  // the whistle's departments and the check-ins the events record as missed.
  void CompleteWrite(cases::CaseWrite& write) const;
  // The scheduler's command: writes every alert now due on the case (nothing when none is).
  Result<Case> FireAlerts(cases::CaseId id) { return Act(id, cases::FireAlerts{}, "system"); }
  // A reporter's full name, phone and ID number, decrypted (0: the first reporter; n: the n-th joined one, for
  // the follow-up call). The caller audits the reveal.
  Result<RevealedReporter> Reveal(cases::CaseId id, const Guard& guard, int reporter = 0);

 private:
  Result<IntakeResult> Existing(cases::CaseId id, const Guard& guard);
  void Publish(const Case* before, const Case& after, const std::vector<CaseEvent>& events);
  std::vector<cases::CaseId> FindDuplicates(const cases::CaseOrigin& origin, TimePoint now);
  // Changes to one case are committed and published in order: one of these locks is held from loading a
  // case to publishing its change (commands on one case would conflict anyway).
  std::mutex& StripeOf(cases::CaseId id) { return stripes_[size_t(id) % stripes_.size()]; }

  store::Store& store_;
  const Clock& clock_;
  const reference::DirectoryHolder& directory_;
  const privacy::Vault& vault_;
  Rules rules_;
  std::vector<Listener> listeners_;
  const dispatch::RoutingHolder* routing_ = nullptr;
  const OpenCaseIndex* nearby_ = nullptr;
  std::array<std::mutex, 256> stripes_;
};

// Human case number: "GD" + date of intake (Asia/Shanghai) + "-" + the id, zero-padded.
std::string CaseNumber(TimePoint at, cases::CaseId id);

}  // namespace civicgrid::cases
