// Who may see and do what to a case (issue 4): the case kind's access rule, over the caller's grants
// (domain/access/policy.h: roles bound to scopes) and the reference directory. Pure functions. A case the
// caller may not see answers 404 (ids do not leak); a visible case the caller may not act on answers 403.
// Each action's rule is named in the action table (actions.cc); CanDo reads it from there.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "domain/access/policy.h"
#include "domain/cases/case.h"
#include "domain/cases/case_store.h"
#include "reference/directory.h"

namespace civicgrid::cases {

bool CanSee(const access::Subject& who, const Case& c);
// `action`: an action of the table, or "read", or "reveal" (the reporter's full details).
bool CanDo(const access::Subject& who, std::string_view action, const Case& c, const reference::Directory& dir);
// The organisations of a whistle on this case that the subject acts for, lead first.
std::vector<std::string> WhistleOrgsOf(const access::Subject& who, const Case& c, const reference::Directory& dir);
// Whether the subject may see an anonymous reporter at all (only the dispatcher may).
bool CanSeeAnonymousReporter(const access::Subject& who);
// Whether the subject records the ratings of joined reporters (the centre's follow-up call).
bool RecordsFollowUps(const access::Subject& who, const Case& c);
// The list filter equal to CanSee.
Visibility ListVisibility(const access::Subject& who);

// The rules of the action table (actions.cc), by who acts.
bool MayDispatch(const access::Subject& who, const Case& c, const reference::Directory& dir);
bool MayHandle(const access::Subject& who, const Case& c, const reference::Directory& dir);
bool MayCentre(const access::Subject& who, const Case& c, const reference::Directory& dir);
bool MayRate(const access::Subject& who, const Case& c, const reference::Directory& dir);
bool MayEscalate(const access::Subject& who, const Case& c, const reference::Directory& dir);
bool MayWhistle(const access::Subject& who, const Case& c, const reference::Directory& dir);
bool MaySupervise(const access::Subject& who, const Case& c, const reference::Directory& dir);
bool MayReportToWhistle(const access::Subject& who, const Case& c, const reference::Directory& dir);
bool MayJoin(const access::Subject& who, const Case& c, const reference::Directory& dir);
// A caller whose every role is resident joins for themselves: their login identifies them (joins are
// idempotent per reporter). Staff and channel keys join on behalf of callers, identified by phone.
bool JoinsForSelf(const access::Subject& who);

// Jurisdiction (管辖): an action may name only an organisation that serves the case's county — one of its
// regions, or a region above it (a city-level organisation; one without a region serves every county).
// Otherwise kInvalid on `field`, saying whom the organisation serves.
Status InJurisdiction(std::string_view field, const std::string& org, const Case& c, const reference::Directory& dir);
// Escalation moves a case one level up from the level it is at; a caller may do that only for a case at or
// below its own level (community staff: community; town staff: town; the centre: any). Otherwise kInvalid on
// "level".
Status MayEscalateFrom(const access::Subject& who, const Case& c);

}  // namespace civicgrid::cases
