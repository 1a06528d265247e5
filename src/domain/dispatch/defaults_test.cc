#include "domain/dispatch/defaults.h"

#include <gtest/gtest.h>

#include "common/csv.h"
#include "domain/dispatch/routing.h"
#include "reference/shipped_data.h"

namespace civicgrid::dispatch {
namespace {

using reference::RegionKind;

// County C: town T1 (with its office) holds communities M1 (with its committee) and M2 (without); town T2 has
// no office but its village V1 has a committee. C has a city-management and a justice department.
std::shared_ptr<const reference::Directory> Place() {
  std::vector<reference::Region> regions = {
      {"C", "县", RegionKind::kCounty, "", ""},           {"T1", "一镇", RegionKind::kTown, "C", ""},
      {"T2", "二街道", RegionKind::kStreet, "C", ""},     {"M1", "一社区", RegionKind::kCommunity, "T1", ""},
      {"M2", "二社区", RegionKind::kCommunity, "T1", ""}, {"V1", "一村", RegionKind::kVillage, "T2", ""},
  };
  std::vector<reference::Org> orgs = {{"C-cgj", "城管", "department", "C"},
                                      {"C-sfj", "司法", "department", "C"},
                                      {"T1", "一镇政府", "town", "T1"},
                                      {"M1", "一社区居委会", "community", "M1"},
                                      {"V1", "一村村委会", "village", "V1"}};
  std::vector<reference::Category> categories;
  for (const char* code : {"01", "01001", "01002", "12", "12001", "12003", "12006", "25", "25001"})
    categories.push_back({code, std::string(code).size() == 2 ? "" : std::string(code).substr(0, 2), code, code});
  auto dir = reference::Directory::Build(regions, orgs, categories, {});
  EXPECT_TRUE(dir.ok()) << dir.error().message;
  return dir.value();
}

constexpr std::string_view kTemplates =
    "category,org\n01,cgj\n01001,community\n12,community\n12003,town\n12006,sfj\n25,zwb\n99,cgj\n";

// Where a case of `category` on `path` goes: the winning rule's organisation, resolved for `town` and
// `community` to the case's own.
std::string OrgFor(const RoutingTable& table, const std::string& category, const std::string& path,
                   const reference::Directory& dir) {
  auto choice = table.Route(category, path);
  if (!choice) return "(no rule)";
  const auto* org = TargetOf(*choice->rule, path, dir);
  return org ? org->code : "(none there)";
}

TEST(DefaultRules, TheLongestTemplateDecidesAndTownAndCommunityAreTheCasesOwn) {
  const auto dir = Place();
  auto rules = DefaultRules(kTemplates, *dir);
  ASSERT_TRUE(rules.ok()) << rules.error().message;
  std::int64_t id = 0;
  for (auto& r : *rules) r.id = ++id;
  const RoutingTable table(*rules);
  // A community with its committee: 小事不出社区, but the longer templates under 12 still hold.
  EXPECT_EQ(OrgFor(table, "01001", "/C/T1/M1/", *dir), "M1");
  EXPECT_EQ(OrgFor(table, "01002", "/C/T1/M1/", *dir), "C-cgj");
  EXPECT_EQ(OrgFor(table, "12001", "/C/T1/M1/", *dir), "M1");
  EXPECT_EQ(OrgFor(table, "12003", "/C/T1/M1/", *dir), "T1") << "12003,town is longer than 12,community";
  EXPECT_EQ(OrgFor(table, "12006", "/C/T1/M1/", *dir), "C-sfj") << "12006,sfj is longer than 12,community";
  // A community without a committee, a town without an office: the case waits for a dispatcher.
  EXPECT_EQ(OrgFor(table, "12001", "/C/T1/M2/", *dir), "(none there)");
  EXPECT_EQ(OrgFor(table, "01001", "/C/T1/M2/", *dir), "(none there)");
  EXPECT_EQ(OrgFor(table, "12003", "/C/T1/M2/", *dir), "T1");
  EXPECT_EQ(OrgFor(table, "12003", "/C/T2/V1/", *dir), "(none there)");
  EXPECT_EQ(OrgFor(table, "12001", "/C/T2/V1/", *dir), "V1");
  EXPECT_EQ(OrgFor(table, "12006", "/C/T2/V1/", *dir), "C-sfj");
  // A county without the department (zwb) and a category the directory lacks (99): no rule.
  EXPECT_EQ(OrgFor(table, "25001", "/C/T1/M1/", *dir), "(no rule)");
  // One rule per template and county: 01, 01001, 12, 12003, 12006 (25 names a department C lacks).
  EXPECT_EQ(rules->size(), 5u);
  // A rule an operator adds for a place is deeper and wins there over the county's templates.
  rules->push_back({++id, "12", "M1", "C-cgj", "", {}});
  const RoutingTable with_local(*rules);
  EXPECT_EQ(OrgFor(with_local, "12006", "/C/T1/M1/", *dir), "C-cgj");
  EXPECT_EQ(OrgFor(with_local, "12006", "/C/T1/M2/", *dir), "C-sfj");
  for (const auto& r : *rules) EXPECT_FALSE(r.region.empty());
}

TEST(DefaultRules, RefusesAMalformedFile) {
  const auto dir = Place();
  EXPECT_FALSE(DefaultRules("category,department\n01,cgj\n", *dir).ok()) << "the column is org";
  auto twice = DefaultRules("category,org\n01,cgj\n01,zjj\n", *dir);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().field, "routing defaults line 3");
  EXPECT_FALSE(DefaultRules("category,org\n01,\n", *dir).ok());
  EXPECT_FALSE(DefaultRules("category,org\n,cgj\n", *dir).ok());
  auto none = DefaultRules("category,org\n", *dir);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

// The shipped defaults climb the ladder from the bottom (小事不出社区、大事不出镇街, data/README.md): small
// property and sanitation matters go to the community or the town, not to a county bureau.
TEST(DefaultRules, TheShippedLadderStartsInTheCommunityAndTheTown) {
  auto rows = csv::Parse(shipped::kRoutingDefaultsCsv, {"category", "org"});
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  std::map<std::string, std::string> org;
  for (const auto& r : *rows) org[r.Get("category")] = r.Get("org");
  // The longest template decides, as the routing table does.
  auto to = [&](std::string code) {
    for (; !code.empty(); code.pop_back())
      if (auto it = org.find(code); it != org.end()) return it->second;
    return std::string("(no rule)");
  };
  for (const char* property : {"16001", "16002", "16003", "16006", "16007", "16008"})
    EXPECT_EQ(to(property), "community") << property;
  EXPECT_EQ(to("16005"), "town") << "owners' committees: the town guides them";
  EXPECT_EQ(to("16004"), "zjj") << "the housing maintenance fund is the county's";
  for (const char* sanitation : {"03001", "03004", "03005", "06010", "06011", "06012", "06017", "06042"})
    EXPECT_EQ(to(sanitation), "town") << sanitation;
  for (const char* neighbourhood : {"06005", "06007", "06036", "06041", "12001", "13004"})
    EXPECT_EQ(to(neighbourhood), "community") << neighbourhood;
}

}  // namespace
}  // namespace civicgrid::dispatch
