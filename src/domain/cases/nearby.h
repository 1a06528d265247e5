// Open cases by place, in memory: the duplicate check at intake and "what is already reported near me"
// (GET /cases/nearby) ask it instead of the store. Kept current from committed changes (a CaseService
// listener); rebuilt from the open cases at start.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/mutex.h"
#include "domain/cases/case.h"
#include "reference/types.h"

namespace civicgrid::cases {

struct NearbyHit {
  cases::CaseId id;
  double meters = 0;
};

class OpenCaseIndex {
 public:
  // A committed change (a CaseService listener): indexes open cases that have a location.
  void Apply(const cases::Case* before, const cases::Case& after);
  // An open case with a location, at start-up (from the store's digest).
  void Load(cases::CaseId id, std::int64_t version, cases::GeoPoint at, TimePoint created_at,
            const std::string& category);
  // Open cases within `radius_m` of `at` whose category starts with `category` (empty: any) and that were
  // taken in at or after `since`, nearest first, at most `limit`.
  std::vector<NearbyHit> Near(cases::GeoPoint at, double radius_m, const std::string& category, TimePoint since,
                              size_t limit) const;
  size_t size() const;

 private:
  struct Entry {
    cases::CaseId id;
    std::int64_t version;
    double lat, lon;
    TimePoint created_at;
    std::string category;
  };
  static std::int64_t Cell(double lat, double lon);
  mutable common::SharedMutex mu_;
  std::unordered_map<std::int64_t, std::vector<Entry>> cells_ GUARDED_BY(mu_);  // ~220 m cells
  // id → (cell, version)
  std::unordered_map<cases::CaseId, std::pair<std::int64_t, std::int64_t>> where_ GUARDED_BY(mu_);
};

// Similarity of two texts in [0, 1]: Dice coefficient over Chinese character bigrams and lower-cased
// English words. "井盖破损" and "井盖坏了破损" share 井盖 and 破损.
double TextSimilarity(const std::string& a, const std::string& b);

}  // namespace civicgrid::cases
