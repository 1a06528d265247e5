// The case service: loads state, asks the pure lifecycle to decide, commits events and the projection in
// one store transaction, and retries a command that lost a race on the same case. Called from worker
// threads (it blocks on the store); holds no state of its own beyond its collaborators.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cases/lifecycle.h"
#include "common/result.h"
#include "common/time.h"
#include "geo/crs.h"
#include "regions/directory.h"
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
  model::Reporter reporter;
  std::string idempotency_key;  // the Idempotency-Key header, if any
};

struct IntakeResult {
  Case c;
  bool created = false;  // false: a repeat of an earlier intake, answered with that case
};

class CaseService {
 public:
  CaseService(store::Store& store, const Clock& clock, const regions::DirectoryHolder& directory, Rules rules = {});

  Result<IntakeResult> Intake(const IntakeRequest& request, const std::string& actor);
  Result<Case> Act(model::CaseId id, const Command& command, const std::string& actor);
  Result<Case> Get(model::CaseId id);
  Result<std::vector<CaseEvent>> Events(model::CaseId id);
  Result<store::CasePage> List(const store::CaseQuery& query);

 private:
  Result<IntakeResult> Existing(model::CaseId id);

  store::Store& store_;
  const Clock& clock_;
  const regions::DirectoryHolder& directory_;
  Rules rules_;
};

// Human case number: "GD" + date of intake (Asia/Shanghai) + "-" + the id, zero-padded.
std::string CaseNumber(TimePoint at, model::CaseId id);

}  // namespace civicgrid::cases
