#include "domain/cases/case_access.h"

#include "domain/cases/actions.h"
#include "reference/jurisdiction.h"

namespace civicgrid::cases {

using access::Grant;
using access::Role;
using access::Subject;

namespace {

bool InPath(const std::string& case_path, const std::string& scope_path) {
  return !scope_path.empty() && case_path.compare(0, scope_path.size(), scope_path) == 0;
}

bool AllScopes(const Grant& g) { return g.scope == "*"; }

// The grant covers the case's territory.
bool Covers(const Grant& g, const Case& c) { return AllScopes(g) || InPath(c.origin.region_path, g.path); }

// The case is now with the organisation this grant acts for.
bool Handles(const Grant& g, const Case& c, const reference::Directory& dir) {
  if (c.org.empty()) return false;
  switch (g.role) {
    case Role::kDepartmentStaff: return c.org == g.scope;
    case Role::kCommunityStaff:
    case Role::kTownStaff: {
      const auto* org = dir.FindOrg(c.org);
      return org && org->region == g.scope && org->kind != "department";
    }
    default: return false;
  }
}

// A visible case and a grant that allows: an admin may do everything but see an anonymous reporter.
template <class Pred>
bool AnyGrant(const Subject& who, const Case& c, Pred&& allows) {
  if (!CanSee(who, c)) return false;
  for (const auto& g : who.grants) {
    if (g.role == Role::kAdmin) return true;
    if (allows(g)) return true;
  }
  return false;
}

bool CoveredAs(const Subject& who, const Case& c, std::initializer_list<Role> roles) {
  return AnyGrant(who, c, [&](const Grant& g) {
    for (Role r : roles)
      if (g.role == r && Covers(g, c)) return true;
    return false;
  });
}

}  // namespace

bool CanSee(const Subject& s, const Case& c) {
  for (const auto& g : s.grants) {
    switch (g.role) {
      case Role::kAdmin: return true;
      case Role::kDispatcher:
      case Role::kLeader:
      case Role::kTownStaff:
      case Role::kCommunityStaff:
      case Role::kGridWorker:
        if (Covers(g, c)) return true;
        break;
      case Role::kDepartmentStaff:
        if (c.org == g.scope) return true;
        // A department whistled in (lead or co-department) sees the case it must report on.
        if (c.whistle)
          for (const auto& p : c.whistle->parts)
            if (p.org == g.scope) return true;
        break;
      case Role::kResident:
      case Role::kChannel:
        if (c.taken_by == s.login) return true;
        break;
    }
  }
  return false;
}

// The centre dispatches anywhere in its scope; a town dispatches within its own subtree.
bool MayDispatch(const Subject& who, const Case& c, const reference::Directory&) {
  return CoveredAs(who, c, {Role::kDispatcher, Role::kTownStaff});
}

// Accept, contact, return, extension, resolve: the organisation that has the case.
bool MayHandle(const Subject& who, const Case& c, const reference::Directory& dir) {
  return AnyGrant(who, c, [&](const Grant& g) { return Handles(g, c, dir); });
}

// The centre's own decisions: extensions, reviews, closing, reopening, invalid, merges, disputed returns.
bool MayCentre(const Subject& who, const Case& c, const reference::Directory&) {
  return CoveredAs(who, c, {Role::kDispatcher});
}

// The reporter rates their own case; the centre records a rating taken by phone (回访).
bool MayRate(const Subject& who, const Case& c, const reference::Directory&) {
  return AnyGrant(who, c, [&](const Grant& g) {
    return (g.role == Role::kDispatcher && Covers(g, c)) || (g.role == Role::kResident && c.taken_by == who.login);
  });
}

// A community or town sends a matter up its own ladder; the centre escalates anywhere in its scope.
bool MayEscalate(const Subject& who, const Case& c, const reference::Directory&) {
  return CoveredAs(who, c, {Role::kDispatcher, Role::kTownStaff, Role::kCommunityStaff});
}

// 吹哨: the town calls the departments in; the centre may too.
bool MayWhistle(const Subject& who, const Case& c, const reference::Directory&) {
  return CoveredAs(who, c, {Role::kDispatcher, Role::kTownStaff});
}

// 督办 comes from above: the centre, a leader, or the town over its communities.
bool MaySupervise(const Subject& who, const Case& c, const reference::Directory&) {
  return CoveredAs(who, c, {Role::kDispatcher, Role::kLeader, Role::kTownStaff});
}

// Check-ins and parts: a department of the whistle.
bool MayReportToWhistle(const Subject& who, const Case& c, const reference::Directory& dir) {
  return AnyGrant(who, c, [&](const Grant&) { return !WhistleOrgsOf(who, c, dir).empty(); });
}

// Joining an open case seen on the nearby map needs no sight of the whole case: anyone who may report may
// add themselves as a further reporter.
bool MayJoin(const Subject& who, const Case&, const reference::Directory&) {
  for (const auto& g : who.grants)
    if (g.role != Role::kLeader && g.role != Role::kDepartmentStaff) return true;
  return false;
}

bool JoinsForSelf(const Subject& who) {
  if (who.grants.empty()) return false;
  for (const auto& g : who.grants)
    if (g.role != Role::kResident) return false;
  return true;
}

bool CanDo(const Subject& who, std::string_view action, const Case& c, const reference::Directory& dir) {
  if (action == "read") return CanSee(who, c);
  if (action == "reveal") {
    if (!CanSee(who, c)) return false;
    for (const auto& g : who.grants) {
      // Whose details may be revealed is the reporter's own choice (anonymity.h: MayReveal), wherever they are.
      if (g.role == Role::kAdmin) return true;
      if (g.role == Role::kDispatcher && Covers(g, c)) return true;
    }
    return false;
  }
  const Action* a = FindAction(action);
  return a && a->may(who, c, dir);
}

std::vector<std::string> WhistleOrgsOf(const Subject& s, const Case& c, const reference::Directory& dir) {
  std::vector<std::string> out;
  if (!c.whistle) return out;
  for (const auto& p : c.whistle->parts)
    if (access::ActsFor(s, p.org, dir)) out.push_back(p.org);
  return out;
}

bool CanSeeAnonymousReporter(const Subject& s) { return s.Has(Role::kDispatcher); }

bool RecordsFollowUps(const Subject& s, const Case&) { return s.Has(Role::kDispatcher) || access::IsAdmin(s); }

Visibility ListVisibility(const Subject& s) {
  Visibility v;
  v.all = false;
  for (const auto& g : s.grants) {
    switch (g.role) {
      case Role::kAdmin: return Visibility{true, {}, {}, {}};
      case Role::kDispatcher:
      case Role::kLeader:
      case Role::kTownStaff:
      case Role::kCommunityStaff:
      case Role::kGridWorker:
        if (AllScopes(g)) return Visibility{true, {}, {}, {}};
        if (!g.path.empty()) v.region_paths.push_back(g.path);
        break;
      case Role::kDepartmentStaff: v.orgs.push_back(g.scope); break;
      case Role::kResident:
      case Role::kChannel: v.taken_by.push_back(s.login); break;
    }
  }
  return v;
}

Status InJurisdiction(std::string_view field, const std::string& code, const Case& c, const reference::Directory& dir) {
  const auto* org = dir.FindOrg(code);
  if (!org) return Invalid(std::string(field), "unknown organisation '" + code + "'");
  if (reference::ServesCountyOf(*org, c.origin.region_path, dir)) return OkStatus();
  const auto* region = dir.FindRegion(org->region);
  return Invalid(std::string(field), org->code + " " + org->name + " serves " + org->region +
                                         (region ? " " + region->name : "") +
                                         ", outside the county of this case: name an organisation of its county");
}

Status MayEscalateFrom(const Subject& who, const Case& c) {
  if (c.level == Level::kJoint) return OkStatus();  // nothing above: the lifecycle's 409 says so
  int own = -1;                                     // the highest level the caller acts at over this case
  for (const auto& g : who.grants) {
    if (g.role == Role::kAdmin) return OkStatus();
    if (!Covers(g, c)) continue;
    if (g.role == Role::kDispatcher) return OkStatus();
    if (g.role == Role::kTownStaff) own = std::max(own, int(Level::kTown));
    if (g.role == Role::kCommunityStaff) own = std::max(own, int(Level::kCommunity));
  }
  if (int(c.level) <= own) return OkStatus();
  return Invalid("level", "this case is at " + std::string(Name(c.level)) + " level, above your own (" +
                              (own == int(Level::kTown) ? "town" : "community") +
                              "): only those at its level or above may escalate it");
}

}  // namespace civicgrid::cases
