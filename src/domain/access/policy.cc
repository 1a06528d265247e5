#include "domain/access/policy.h"

#include <array>

namespace civicgrid::access {
namespace {

constexpr std::array<std::string_view, 9> kRoleNames = {"resident", "grid_worker",  "community_staff",
                                                        "town_staff", "department_staff", "dispatcher",
                                                        "leader",   "admin",        "channel"};

bool InPath(const std::string& case_path, const std::string& scope_path) {
  return !scope_path.empty() && case_path.compare(0, scope_path.size(), scope_path) == 0;
}

bool AllScopes(const Grant& g) { return g.scope == "*"; }

// The grant covers the case's territory.
bool Covers(const Grant& g, const cases::Case& c) { return AllScopes(g) || InPath(c.origin.region_path, g.path); }

// The case is now with the organisation this grant acts for.
bool Handles(const Grant& g, const cases::Case& c, const reference::Directory& dir) {
  if (c.org.empty()) return false;
  switch (g.role) {
    case Role::kDepartmentStaff:
      return c.org == g.scope;
    case Role::kCommunityStaff:
    case Role::kTownStaff: {
      const auto* org = dir.FindOrg(c.org);
      return org && org->region == g.scope && org->kind != "department";
    }
    default:
      return false;
  }
}

}  // namespace

std::optional<Role> ParseRole(std::string_view name) {
  for (size_t i = 0; i < kRoleNames.size(); ++i)
    if (kRoleNames[i] == name) return static_cast<Role>(i);
  return std::nullopt;
}
std::string_view Name(Role role) { return kRoleNames[size_t(role)]; }
const std::vector<std::string>& RoleNames() {
  static const std::vector<std::string> kNames(kRoleNames.begin(), kRoleNames.end());
  return kNames;
}

Status CheckScope(Role role, const std::string& scope, const reference::Directory& dir) {
  using reference::RegionKind;
  auto region_of_kind = [&](std::initializer_list<RegionKind> kinds, const char* what) -> Status {
    if (scope == "*" && (role == Role::kDispatcher || role == Role::kLeader)) return OkStatus();
    const auto* r = dir.FindRegion(scope);
    if (!r) return Invalid("scope", "no region '" + scope + "'");
    for (auto k : kinds)
      if (r->kind == k) return OkStatus();
    return Invalid("scope", std::string("the scope of ") + std::string(Name(role)) + " must be " + what);
  };
  switch (role) {
    case Role::kAdmin:
      return scope == "*" ? OkStatus() : Invalid("scope", "admin's scope is *");
    case Role::kResident:
      return OkStatus();  // residents see what they took in; the scope is informational
    case Role::kGridWorker:
      return region_of_kind({RegionKind::kGrid}, "a grid");
    case Role::kCommunityStaff:
      return region_of_kind({RegionKind::kCommunity, RegionKind::kVillage}, "a community or village");
    case Role::kTownStaff:
      return region_of_kind({RegionKind::kTown, RegionKind::kStreet}, "a town or street");
    case Role::kDispatcher:
    case Role::kLeader:
      return region_of_kind({RegionKind::kCounty, RegionKind::kTown, RegionKind::kStreet, RegionKind::kCommunity,
                             RegionKind::kVillage, RegionKind::kGrid},
                            "a region");
    case Role::kDepartmentStaff:
      return dir.FindOrg(scope) ? OkStatus() : Invalid("scope", "no organisation '" + scope + "'");
    case Role::kChannel:
      return scope.empty() ? Invalid("scope", "a channel key's scope is its channel") : OkStatus();
  }
  return OkStatus();
}

bool Subject::Has(Role role) const {
  for (const auto& g : grants)
    if (g.role == role) return true;
  return false;
}

Subject MakeSubject(const std::string& login, const std::vector<std::pair<std::string, std::string>>& roles,
                    const reference::Directory& dir) {
  Subject s{login, {}};
  for (const auto& [name, scope] : roles) {
    auto role = ParseRole(name);
    if (!role) continue;  // an unknown role grants nothing
    Grant g{*role, scope, ""};
    if (scope != "*" && dir.FindRegion(scope)) g.path = dir.PathOf(scope);
    s.grants.push_back(std::move(g));
  }
  return s;
}

std::optional<Verb> VerbOfAction(const std::string& a) {
  static const std::pair<const char*, Verb> kVerbs[] = {
      {"dispatch", Verb::kDispatch}, {"accept", Verb::kAccept}, {"contact", Verb::kContact},
      {"return", Verb::kReturn}, {"extension", Verb::kRequestExtension},
      {"extension/decision", Verb::kDecideExtension}, {"resolve", Verb::kResolve}, {"review", Verb::kReview},
      {"rating", Verb::kRate}, {"close", Verb::kClose}, {"reopen", Verb::kReopen}, {"invalid", Verb::kInvalid},
      {"merge", Verb::kMerge}, {"reveal", Verb::kReveal}, {"escalate", Verb::kEscalate},
      {"whistle", Verb::kWhistle}, {"check-in", Verb::kCheckIn}, {"part", Verb::kReportPart},
      {"supervise", Verb::kSupervise}, {"return/decision", Verb::kDecideReturn}, {"join", Verb::kJoin}};
  for (const auto& [name, verb] : kVerbs)
    if (a == name) return verb;
  return std::nullopt;
}

bool IsAdmin(const Subject& s) { return s.Has(Role::kAdmin); }

bool CanSee(const Subject& s, const cases::Case& c) {
  for (const auto& g : s.grants) {
    switch (g.role) {
      case Role::kAdmin:
        return true;
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

bool ActsFor(const Subject& s, const std::string& org, const reference::Directory& dir) {
  const auto* o = dir.FindOrg(org);
  for (const auto& g : s.grants) {
    if (g.role == Role::kAdmin) return true;
    if (g.role == Role::kDepartmentStaff && g.scope == org) return true;
    if ((g.role == Role::kTownStaff || g.role == Role::kCommunityStaff) && o && o->region == g.scope &&
        o->kind != "department")
      return true;
  }
  return false;
}

std::vector<std::string> WhistleOrgsOf(const Subject& s, const cases::Case& c, const reference::Directory& dir) {
  std::vector<std::string> out;
  if (!c.whistle) return out;
  for (const auto& p : c.whistle->parts)
    if (ActsFor(s, p.org, dir)) out.push_back(p.org);
  return out;
}

bool CanDo(const Subject& s, Verb verb, const cases::Case& c, const reference::Directory& dir) {
  // Joining an open case seen on the nearby map needs no sight of the whole case: anyone who may report may
  // add themselves as a further reporter.
  if (verb == Verb::kJoin) {
    for (const auto& g : s.grants)
      if (g.role != Role::kLeader && g.role != Role::kDepartmentStaff) return true;
    return false;
  }
  if (!CanSee(s, c)) return false;
  for (const auto& g : s.grants) {
    if (g.role == Role::kAdmin) return verb != Verb::kReveal || !c.origin.reporter.anonymous;
    switch (verb) {
      case Verb::kRead:
        return true;
      case Verb::kDispatch:
        // The centre dispatches anywhere in its scope; a town dispatches within its own subtree.
        if ((g.role == Role::kDispatcher || g.role == Role::kTownStaff) && Covers(g, c)) return true;
        break;
      case Verb::kAccept:
      case Verb::kContact:
      case Verb::kReturn:
      case Verb::kRequestExtension:
      case Verb::kResolve:
        if (Handles(g, c, dir)) return true;
        break;
      case Verb::kDecideExtension:
      case Verb::kReview:
      case Verb::kClose:
      case Verb::kReopen:
      case Verb::kInvalid:
      case Verb::kMerge:
      case Verb::kReveal:
        if (g.role == Role::kDispatcher && Covers(g, c)) return true;
        break;
      case Verb::kEscalate:
        // A community or town sends a matter up its own ladder; the centre escalates anywhere in its scope.
        if ((g.role == Role::kDispatcher || g.role == Role::kTownStaff || g.role == Role::kCommunityStaff) &&
            Covers(g, c))
          return true;
        break;
      case Verb::kWhistle:
        // 吹哨: the town calls the departments in; the centre may too.
        if ((g.role == Role::kDispatcher || g.role == Role::kTownStaff) && Covers(g, c)) return true;
        break;
      case Verb::kSupervise:
        // 督办 comes from above: the centre, a leader, or the town over its communities.
        if ((g.role == Role::kDispatcher || g.role == Role::kLeader || g.role == Role::kTownStaff) && Covers(g, c))
          return true;
        break;
      case Verb::kCheckIn:
      case Verb::kReportPart:
        if (!WhistleOrgsOf(s, c, dir).empty()) return true;
        break;
      case Verb::kDecideReturn:
        if (g.role == Role::kDispatcher && Covers(g, c)) return true;
        break;
      case Verb::kJoin:
        break;
      case Verb::kRate:
        // The reporter rates their own case; the centre records a rating taken by phone (回访).
        if (g.role == Role::kDispatcher && Covers(g, c)) return true;
        if (g.role == Role::kResident && c.taken_by == s.login) return true;
        break;
    }
  }
  return false;
}

bool CanTakeIn(const Subject& s, const std::string& channel) {
  for (const auto& g : s.grants) {
    switch (g.role) {
      case Role::kAdmin:
      case Role::kDispatcher:
      case Role::kTownStaff:
      case Role::kCommunityStaff:
        return true;
      case Role::kGridWorker:
        if (channel == "grid_patrol" || channel == "visit") return true;
        break;
      case Role::kResident:
        if (channel == "resident") return true;
        break;
      case Role::kChannel:
        if (channel == g.scope) return true;
        break;
      case Role::kLeader:
      case Role::kDepartmentStaff:
        break;
    }
  }
  return false;
}

bool CanSeeAnonymousReporter(const Subject& s) { return s.Has(Role::kDispatcher); }

cases::Visibility ListVisibility(const Subject& s) {
  cases::Visibility v;
  v.all = false;
  for (const auto& g : s.grants) {
    switch (g.role) {
      case Role::kAdmin:
        return cases::Visibility{true, {}, {}, {}};
      case Role::kDispatcher:
      case Role::kLeader:
      case Role::kTownStaff:
      case Role::kCommunityStaff:
      case Role::kGridWorker:
        if (AllScopes(g)) return cases::Visibility{true, {}, {}, {}};
        if (!g.path.empty()) v.region_paths.push_back(g.path);
        break;
      case Role::kDepartmentStaff:
        v.orgs.push_back(g.scope);
        break;
      case Role::kResident:
      case Role::kChannel:
        v.taken_by.push_back(s.login);
        break;
    }
  }
  return v;
}

}  // namespace civicgrid::access
