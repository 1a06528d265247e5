// Who a caller is (issue 4): roles bound to scopes (a region, an organisation, a channel), as grants. Each
// kind's access rule is written over these in its own module (cases: domain/cases/case_access.h); this
// module knows no kind.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "reference/directory.h"
#include "reference/types.h"

namespace civicgrid::access {

enum class Role {
  kResident,         // their own cases
  kGridWorker,       // cases on their grid (scope: grid code)
  kCommunityStaff,   // their community's subtree (scope: community/village code)
  kTownStaff,        // their town's subtree (scope: town/street code)
  kDepartmentStaff,  // cases currently with their organisation (scope: org code)
  kDispatcher,       // the county centre (scope: county code, or * for every county)
  kLeader,           // read-only, their subtree and its cockpit (scope: region code)
  kAdmin,            // everything (scope *)
  kChannel,          // an API key of a channel system (scope: the channel): intake and its own cases
};
std::optional<Role> ParseRole(std::string_view name);
std::string_view Name(Role role);
const std::vector<std::string>& RoleNames();

// Whether a scope names something that exists for this role (a region of the right kind, an org, a channel).
Status CheckScope(Role role, const std::string& scope, const reference::Directory& directory);

struct Grant {
  Role role;
  std::string scope;
  std::string path;  // "/…/scope/" for region scopes; empty otherwise
};

struct Subject {
  std::string login;
  std::vector<Grant> grants;
  bool Has(Role role) const;
};

Subject MakeSubject(const std::string& login, const std::vector<std::pair<std::string, std::string>>& roles,
                    const reference::Directory& directory);

// Whether the subject acts for organisation `org` (its staff; an admin acts for any).
bool ActsFor(const Subject& subject, const std::string& org, const reference::Directory& directory);
// Intake: on which channel this subject may take cases in.
bool CanTakeIn(const Subject& subject, const std::string& channel);
bool IsAdmin(const Subject& subject);
}  // namespace civicgrid::access
