// The case kind's access rule (case_access.h) and the action table it reads (actions.h), over the grants of
// domain/access.
#include "domain/cases/case_access.h"

#include "domain/cases/actions.h"

#include <gtest/gtest.h>

#include <set>

namespace civicgrid::cases {
namespace {

using access::CanTakeIn;
using access::CheckScope;
using access::MakeSubject;
using access::Role;

using reference::RegionKind;

std::shared_ptr<const reference::Directory> Dir() {
  std::vector<reference::Region> regions = {
      {"c", "县", RegionKind::kCounty, "", ""},          {"t1", "镇1", RegionKind::kTown, "c", ""},
      {"t2", "镇2", RegionKind::kTown, "c", ""},         {"m1", "社区1", RegionKind::kCommunity, "t1", ""},
      {"m2", "社区2", RegionKind::kCommunity, "t2", ""}, {"g1", "网格1", RegionKind::kGrid, "m1", ""},
      {"g2", "网格2", RegionKind::kGrid, "m2", ""}};
  std::vector<reference::Org> orgs = {{"cgj", "城管", "department", "c"},
                                      {"t1", "镇1政府", "town", "t1"},
                                      {"m1", "社区1居委会", "community", "m1"},
                                      {"m2", "社区2居委会", "community", "m2"}};
  return *reference::Directory::Build(regions, orgs, {}, {});
}

cases::Case CaseIn(const reference::Directory& d, const std::string& grid, const std::string& org,
                   const std::string& taken_by = "someone") {
  cases::Case c;
  c.id = cases::CaseId(1);
  c.origin.grid = grid;
  c.origin.region_path = d.PathOf(grid);
  c.org = org;
  c.taken_by = taken_by;
  return c;
}

TEST(CaseAccess, SeeingFollowsTheScope) {
  auto d = Dir();
  const auto in_m1 = CaseIn(*d, "g1", "m1");
  const auto in_m2 = CaseIn(*d, "g2", "cgj", "res");
  struct Row {
    std::string role, scope;
    bool sees_m1, sees_m2;
  };
  for (const auto& r : std::vector<Row>{{"admin", "*", true, true},
                                        {"dispatcher", "c", true, true},
                                        {"leader", "t1", true, false},
                                        {"town_staff", "t2", false, true},
                                        {"community_staff", "m1", true, false},
                                        {"grid_worker", "g2", false, true},
                                        {"department_staff", "cgj", false, true},
                                        {"resident", "c", false, false},
                                        {"channel", "12345", false, false}}) {
    const auto s = MakeSubject("u", {{r.role, r.scope}}, *d);
    EXPECT_EQ(CanSee(s, in_m1), r.sees_m1) << r.role;
    EXPECT_EQ(CanSee(s, in_m2), r.sees_m2) << r.role;
  }
  EXPECT_TRUE(CanSee(MakeSubject("res", {{"resident", "c"}}, *d), in_m2));  // their own case
}

TEST(CaseAccess, ActingNeedsTheRightRoleOnAVisibleCase) {
  auto d = Dir();
  const auto handled_by_m1 = CaseIn(*d, "g1", "m1");
  const auto dispatcher = MakeSubject("d", {{"dispatcher", "c"}}, *d);
  const auto community = MakeSubject("m", {{"community_staff", "m1"}}, *d);
  const auto other_community = MakeSubject("m", {{"community_staff", "m2"}}, *d);
  const auto leader = MakeSubject("l", {{"leader", "c"}}, *d);
  const auto dept = MakeSubject("x", {{"department_staff", "cgj"}}, *d);
  EXPECT_TRUE(CanDo(dispatcher, "dispatch", handled_by_m1, *d));
  EXPECT_FALSE(CanDo(dispatcher, "accept", handled_by_m1, *d));
  EXPECT_TRUE(CanDo(community, "accept", handled_by_m1, *d));
  EXPECT_TRUE(CanDo(community, "resolve", handled_by_m1, *d));
  EXPECT_FALSE(CanDo(community, "review", handled_by_m1, *d));
  EXPECT_FALSE(CanDo(other_community, "read", handled_by_m1, *d));
  EXPECT_TRUE(CanDo(leader, "read", handled_by_m1, *d));
  for (const char* v : {"dispatch", "accept", "resolve", "close", "reveal"})
    EXPECT_FALSE(CanDo(leader, v, handled_by_m1, *d));
  EXPECT_TRUE(CanDo(dept, "accept", CaseIn(*d, "g2", "cgj"), *d));
  EXPECT_TRUE(CanDo(dispatcher, "reveal", handled_by_m1, *d));
  auto anonymous = handled_by_m1;
  anonymous.origin.reporter.anonymous = true;
  // The role rule lets both ask; the reporter's anonymity then refuses them both (anonymity_test.cc).
  EXPECT_TRUE(CanDo(MakeSubject("a", {{"admin", "*"}}, *d), "reveal", anonymous, *d));
  EXPECT_TRUE(CanDo(dispatcher, "reveal", anonymous, *d));
}

TEST(CaseAccess, IntakeByChannel) {
  auto d = Dir();
  EXPECT_TRUE(CanTakeIn(MakeSubject("k", {{"channel", "12345"}}, *d), "12345"));
  EXPECT_FALSE(CanTakeIn(MakeSubject("k", {{"channel", "12345"}}, *d), "city_management"));
  EXPECT_TRUE(CanTakeIn(MakeSubject("r", {{"resident", "c"}}, *d), "resident"));
  EXPECT_FALSE(CanTakeIn(MakeSubject("r", {{"resident", "c"}}, *d), "12345"));
  EXPECT_TRUE(CanTakeIn(MakeSubject("g", {{"grid_worker", "g1"}}, *d), "grid_patrol"));
  EXPECT_FALSE(CanTakeIn(MakeSubject("l", {{"leader", "c"}}, *d), "12345"));
}

TEST(CaseAccess, ListVisibilityMatchesCanSee) {
  auto d = Dir();
  auto v = ListVisibility(MakeSubject("u", {{"community_staff", "m1"}, {"department_staff", "cgj"}}, *d));
  EXPECT_FALSE(v.all);
  EXPECT_EQ(v.region_paths, std::vector<std::string>{"/c/t1/m1/"});
  EXPECT_EQ(v.orgs, std::vector<std::string>{"cgj"});
  EXPECT_TRUE(ListVisibility(MakeSubject("a", {{"admin", "*"}}, *d)).all);
  EXPECT_EQ(ListVisibility(MakeSubject("r", {{"resident", "c"}}, *d)).taken_by, std::vector<std::string>{"r"});
  EXPECT_FALSE(ListVisibility(MakeSubject("x", {{"no_such_role", "c"}}, *d)).all);
}

TEST(CaseAccess, ScopesMustExistAndFitTheRole) {
  auto d = Dir();
  EXPECT_TRUE(CheckScope(Role::kGridWorker, "g1", *d).ok());
  EXPECT_FALSE(CheckScope(Role::kGridWorker, "m1", *d).ok());
  EXPECT_FALSE(CheckScope(Role::kTownStaff, "nowhere", *d).ok());
  EXPECT_TRUE(CheckScope(Role::kDepartmentStaff, "cgj", *d).ok());
  EXPECT_FALSE(CheckScope(Role::kDepartmentStaff, "zzz", *d).ok());
  EXPECT_FALSE(CheckScope(Role::kAdmin, "c", *d).ok());
}

// The table is whole: every command has its row, names are unique, every row says who may.
TEST(ActionTable, EveryCommandHasOneRow) {
  std::set<std::string_view> names;
  std::set<size_t> commands;
  for (const auto& a : Actions()) {
    EXPECT_TRUE(names.insert(a.name).second) << a.name;
    EXPECT_TRUE(commands.insert(a.command).second) << a.name;
    EXPECT_TRUE(a.allowed && a.why_not && a.may) << a.name;
  }
  EXPECT_EQ(commands.size(), std::variant_size_v<Command>);
  EXPECT_EQ(ActionOf(Command{Dispatch{}}).name, "dispatch");
  EXPECT_EQ(ActionOf(Command{DecideExtension{}}).name, "extension/decision");
  EXPECT_EQ(ActionOf(Command{FireAlerts{}}).name, "alerts");
  EXPECT_EQ(FindAction("no-such"), nullptr);
}

// allowed_actions and the policy read the same rows: a caller's buttons are the state's actions it may do.
TEST(ActionTable, AllowedActionsFollowTheTableOrder) {
  auto d = Dir();
  Case c = CaseIn(*d, "g1", "");
  EXPECT_EQ(AllowedActions(c),
            (std::vector<std::string>{"dispatch", "invalid", "merge", "whistle", "supervise", "escalate", "join"}));
  c.status = CaseStatus::kDispatched;
  c.org = "m1";
  EXPECT_EQ(AllowedActions(c), (std::vector<std::string>{"accept", "return", "invalid", "merge", "whistle", "supervise",
                                                         "escalate", "join"}));
  const auto community = MakeSubject("u", {{"community_staff", "m1"}}, *d);
  for (const auto& a : AllowedActions(c)) {
    const bool expected = a == "accept" || a == "return" || a == "escalate" || a == "join";
    EXPECT_EQ(CanDo(community, a, c, *d), expected) << a;
  }
}

}  // namespace
}  // namespace civicgrid::cases
