#include "demo/demo.h"

#include <utility>

#include "demo/geography.h"
#include "demo/orgs.h"

namespace civicgrid::demo {

Result<DemoReference> BuildReference(const DemoOptions& options) {
  auto regions = BuildRegions(options.seed);
  if (!regions.ok()) return regions.error();
  auto orgs = BuildOrgs(*regions);
  if (!orgs.ok()) return orgs.error();
  return DemoReference{std::move(regions.value()), std::move(orgs.value())};
}

}  // namespace civicgrid::demo
