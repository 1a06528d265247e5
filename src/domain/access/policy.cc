#include "domain/access/policy.h"

#include <array>

namespace civicgrid::access {
namespace {

constexpr std::array<std::string_view, 9> kRoleNames = {
    "resident",   "grid_worker", "community_staff", "town_staff", "department_staff",
    "dispatcher", "leader",      "admin",           "channel"};

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
    case Role::kAdmin: return scope == "*" ? OkStatus() : Invalid("scope", "admin's scope is *");
    case Role::kResident: return OkStatus();  // residents see what they took in; the scope is informational
    case Role::kGridWorker: return region_of_kind({RegionKind::kGrid}, "a grid");
    case Role::kCommunityStaff:
      return region_of_kind({RegionKind::kCommunity, RegionKind::kVillage}, "a community or village");
    case Role::kTownStaff: return region_of_kind({RegionKind::kTown, RegionKind::kStreet}, "a town or street");
    case Role::kDispatcher:
    case Role::kLeader:
      return region_of_kind({RegionKind::kCounty, RegionKind::kTown, RegionKind::kStreet, RegionKind::kCommunity,
                             RegionKind::kVillage, RegionKind::kGrid},
                            "a region");
    case Role::kDepartmentStaff:
      return dir.FindOrg(scope) ? OkStatus() : Invalid("scope", "no organisation '" + scope + "'");
    case Role::kChannel: return scope.empty() ? Invalid("scope", "a channel key's scope is its channel") : OkStatus();
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

bool IsAdmin(const Subject& s) { return s.Has(Role::kAdmin); }

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

bool CanTakeIn(const Subject& s, const std::string& channel) {
  for (const auto& g : s.grants) {
    switch (g.role) {
      case Role::kAdmin:
      case Role::kDispatcher:
      case Role::kTownStaff:
      case Role::kCommunityStaff: return true;
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
      case Role::kDepartmentStaff: break;
    }
  }
  return false;
}

}  // namespace civicgrid::access
