// Who may see and do what (issue 4): roles bound to scopes, decided in one place. Pure functions over the
// caller's grants, the case and the reference directory; the HTTP layer calls them for every route, so no
// handler can forget. A case the caller may not see answers 404 (ids do not leak); a visible case the caller
// may not act on answers 403.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/cases/case.h"
#include "reference/types.h"
#include "reference/directory.h"
#include "domain/cases/case_store.h"

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

// Things one does to a case, as the API names them.
enum class Verb {
  kRead, kDispatch, kAccept, kContact, kReturn, kRequestExtension, kDecideExtension, kResolve, kReview, kRate,
  kClose, kReopen, kInvalid, kMerge, kReveal,
  kEscalate, kWhistle, kCheckIn, kReportPart, kSupervise, kDecideReturn, kJoin,
};
std::optional<Verb> VerbOfAction(const std::string& action);

bool CanSee(const Subject& subject, const cases::Case& c);
bool CanDo(const Subject& subject, Verb verb, const cases::Case& c, const reference::Directory& directory);
// Whether the subject acts for organisation `org` (its staff; an admin acts for any).
bool ActsFor(const Subject& subject, const std::string& org, const reference::Directory& directory);
// The organisations of a whistle on this case that the subject acts for, lead first.
std::vector<std::string> WhistleOrgsOf(const Subject& subject, const cases::Case& c,
                                       const reference::Directory& directory);
// Intake: on which channel this subject may take cases in.
bool CanTakeIn(const Subject& subject, const std::string& channel);
bool IsAdmin(const Subject& subject);
// Whether the subject may see an anonymous reporter at all (only the dispatcher may).
bool CanSeeAnonymousReporter(const Subject& subject);
// The list filter equal to CanSee.
cases::Visibility ListVisibility(const Subject& subject);

}  // namespace civicgrid::access
