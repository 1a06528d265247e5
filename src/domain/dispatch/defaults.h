// Routing templates (data/routing-defaults.csv, header `category,org`) made into routing rules for the
// counties of a directory. A template names who handles a category subtree: a department code (prefixed with
// the county's code: `cgj` → `320923-cgj`), `town` (the case's own town or street office) or `community` (its
// own community or village committee: 小事不出社区、大事不出镇街). The longest matching template decides.
// Pure: the caller stores the rules (dispatch::RoutingService::AddDefaults for `init --demo` and
// `import routing --defaults`).
#pragma once

#include <string_view>
#include <vector>

#include "common/result.h"
#include "domain/dispatch/routing_store.h"
#include "reference/directory.h"

namespace civicgrid::dispatch {

// Rules (id 0, not yet stored), one per template and county of `directory`, on the county's region, so that
// RoutingTable::Route gives every case the organisation its longest matching template names. `town` and
// `community` stay as they are (routing.h kOwnTown, kOwnCommunity: resolved per case to its own town office or
// community committee). A department a county lacks is left out there, as is a category the directory does not
// know. Fails on a malformed file: a missing column, an empty or repeated category, an empty org.
Result<std::vector<RoutingRule>> DefaultRules(std::string_view templates_csv, const reference::Directory& directory);

}  // namespace civicgrid::dispatch
