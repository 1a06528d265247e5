#include "domain/dispatch/routing.h"

#include <gtest/gtest.h>

namespace civicgrid::dispatch {
namespace {

dispatch::RoutingRule R(std::int64_t id, std::string category, std::string region, std::string org) {
  return {id, std::move(category), std::move(region), std::move(org), "admin", {}};
}

TEST(RoutingTable, NoRuleNoRoute) {
  RoutingTable t({R(1, "02", "C", "traffic")});
  EXPECT_FALSE(t.Route("01001", "/C/T/M/G/").has_value());
  EXPECT_FALSE(RoutingTable().Route("01", "/C/").has_value());
}

TEST(RoutingTable, CategorySubtreeMatches) {
  RoutingTable t({R(1, "01", "C", "city")});
  auto r = t.Route("01001", "/C/T/M/G/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rule->org, "city");
  EXPECT_EQ(r->candidates, 1);
  EXPECT_FALSE(t.Route("010", "/X/T/").has_value()) << "another county";
}

TEST(RoutingTable, DeeperRegionWinsOverLongerCategory) {
  RoutingTable t({R(1, "01001", "C", "water-company"), R(2, "01", "T", "town")});
  auto r = t.Route("01001", "/C/T/M/G/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rule->id, 2);
  EXPECT_EQ(r->candidates, 2);
}

TEST(RoutingTable, LongerCategoryWinsAtEqualRegionDepth) {
  RoutingTable t({R(1, "01", "C", "city"), R(2, "01001", "C", "water"), R(3, "", "C", "centre")});
  EXPECT_EQ(t.Route("01001", "/C/T/")->rule->org, "water");
  EXPECT_EQ(t.Route("01002", "/C/T/")->rule->org, "city");
  EXPECT_EQ(t.Route("25", "/C/T/")->rule->org, "centre");
}

TEST(RoutingTable, OlderRuleWinsATie) {
  RoutingTable t({R(7, "01", "C", "newer"), R(3, "01", "C", "older")});
  EXPECT_EQ(t.Route("01", "/C/")->rule->org, "older");
}

TEST(RoutingTable, AnywhereRuleIsTheLeastSpecificRegion) {
  RoutingTable t({R(1, "0100", "", "anywhere"), R(2, "01", "C", "county")});
  EXPECT_EQ(t.Route("01001", "/C/T/")->rule->org, "county");
  EXPECT_EQ(t.Route("01001", "/D/T/")->rule->org, "anywhere");
  EXPECT_EQ(t.Route("01001", "")->rule->org, "anywhere") << "a case without a place";
}

}  // namespace
}  // namespace civicgrid::dispatch
