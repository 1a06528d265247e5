// The people behind the demo's cases: residents who report, each grid's worker, city-management supervisors.
// Names, mobile numbers and resident ID numbers are invented but well formed, so intake validates and seals
// them like real ones. Internal to src/demo.
#pragma once

#include <cstdint>
#include <string>

#include "demo/support.h"

namespace civicgrid::demo {

struct Reporter {
  std::string name;  // empty when anonymous
  std::string phone;
  std::string id_number;  // only where an ID card is shown: at a window or on a visit
  bool anonymous = false;
};

std::string PersonName(Rng& rng);
std::string Phone(Rng& rng);
// A resident ID number (GB 11643) of someone born in `county` between 1945 and 2004.
std::string IdNumber(Rng& rng, const std::string& county);

// The grid's own worker, who reports what the patrol finds: the same person for every case of the grid.
Reporter GridWorker(std::uint64_t seed, const std::string& grid_code);
// Who reports a case coming in by `channel` (not grid_patrol) in `county`: a supervisor for city management,
// residents otherwise. One resident in ten on the phone or the app stays anonymous but leaves a number; a
// hotline caller sometimes gives only a surname (王先生); at a window or on a visit the resident shows an ID card.
Reporter DrawReporter(Rng& rng, const std::string& channel, const std::string& county);

}  // namespace civicgrid::demo
