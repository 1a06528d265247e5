// Routing (M11 unified command): which organisation a new case goes to, by rules over (category subtree,
// region subtree). Pure: built from the rules, asked per case; the service swaps in a new table when the
// rules change, so a change needs no restart.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/snapshot.h"
#include "domain/dispatch/routing_store.h"
#include "reference/directory.h"

namespace civicgrid::dispatch {

struct RouteChoice {
  const dispatch::RoutingRule* rule = nullptr;  // the winner (owned by the table)
  int candidates = 0;                           // how many rules matched
};

class RoutingTable {
 public:
  RoutingTable() = default;
  explicit RoutingTable(std::vector<dispatch::RoutingRule> rules);

  // The most specific rule matching a case of `category` whose region path is `region_path` ("/a/b/c/").
  // A rule matches when its category is a prefix of the case's (codes are hierarchical prefixes; empty: any)
  // and its region lies on the path (empty: anywhere). Specificity, stated: the deeper region wins (属地
  // first: the place decides who is responsible); at equal region depth the longer category code wins; at
  // equal both, the older rule (lower id) stands, so adding a rule never silently overrides an equal one.
  std::optional<RouteChoice> Route(const std::string& category, const std::string& region_path) const;

  const std::vector<dispatch::RoutingRule>& rules() const { return rules_; }

 private:
  std::vector<dispatch::RoutingRule> rules_;
  std::unordered_map<std::string, std::vector<size_t>> by_region_;  // region code ("" any) → rule indexes
};

// A rule's `org` is an organisation's code, or one of these, meaning the case's own town (or street) office
// or its own community (or village) committee: one county-wide rule sends a category to whichever town or
// community the case lies in (小事不出社区、大事不出镇街).
inline constexpr const char* kOwnTown = "town";
inline constexpr const char* kOwnCommunity = "community";
bool IsOwnLevel(const std::string& org);
// The organisation a rule sends a case on `region_path` to; null when the rule names its own town or
// community and the case has none (it then waits for a dispatcher).
const reference::Org* TargetOf(const RoutingRule& rule, const std::string& region_path,
                               const reference::Directory& dir);

// The current table, swapped whole when rules change (readers keep the one they hold); empty at first.
class RoutingHolder : public common::Snapshot<RoutingTable> {
 public:
  RoutingHolder() : Snapshot(std::make_shared<RoutingTable>()) {}
};

}  // namespace civicgrid::dispatch
