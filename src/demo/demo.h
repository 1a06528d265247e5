// The demo counties: Funing (320923), Binhai (320922) and Xiangshui (320921) of Yancheng, with their real
// towns and streets, named communities and estates, synthetic grid polygons that tile each county, the
// departments the source document names, and a year of case history played through the real commands.
// Deterministic for a given seed. The entry point for src/cli; behind it geography.cc builds the regions,
// orgs.cc the organisations, people.cc the reporters, channels.cc what comes in when, history.cc the year.
#pragma once

#include <cstdint>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "domain/cases/case.h"
#include "domain/cases/case_service.h"
#include "reference/directory.h"
#include "reference/types.h"

namespace civicgrid::demo {

struct DemoOptions {
  std::uint64_t seed = 20261124;
  int cases = 24000;  // historical cases over the last 12 months
  TimePoint now{};    // the end of the history (normally the real now)
};

struct DemoReference {
  std::vector<reference::Region> regions;  // county → town/street → community/village → grid (polygon) → estate
  std::vector<reference::Org> orgs;        // county centre, departments, town and community organisations
};

Result<DemoReference> BuildReference(const DemoOptions& options);

// Takes in options.cases cases spread over the 12 months before options.now and moves each through its
// lifecycle with CaseService commands, the clock set to each moment. `directory` must hold BuildReference's
// regions and orgs, and `service` must route intake by the store's routing rules (CaseService::SetRouting),
// which must cover every category: the rules dispatch each case at intake, as on the live server, and the
// history has no dispatch table of its own (app::LoadDemo adds the shipped data/routing-defaults.csv first).
// Returns the number of cases taken in.
Result<int> PlayHistory(cases::CaseService& service, ManualClock& clock, const reference::Directory& directory,
                        const DemoOptions& options);

}  // namespace civicgrid::demo
