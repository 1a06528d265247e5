#include "domain/dispatch/routing.h"

#include "reference/types.h"

namespace civicgrid::dispatch {

RoutingTable::RoutingTable(std::vector<dispatch::RoutingRule> rules) : rules_(std::move(rules)) {
  for (size_t i = 0; i < rules_.size(); ++i) by_region_[rules_[i].region].push_back(i);
}

std::optional<RouteChoice> RoutingTable::Route(const std::string& category, const std::string& region_path) const {
  // Region codes on the path, deepest first, then "" (rules for anywhere).
  const auto regions = reference::PathCodes(region_path);
  std::vector<std::string> order(regions.rbegin(), regions.rend());
  order.push_back("");

  RouteChoice best;
  for (const auto& region : order) {
    auto it = by_region_.find(region);
    if (it == by_region_.end()) continue;
    for (size_t i : it->second) {
      const auto& r = rules_[i];
      if (!category.starts_with(r.category)) continue;
      ++best.candidates;
      // Deeper regions come first, so within this region only category length and age decide.
      if (!best.rule || (best.rule->region == r.region &&
                         (r.category.size() > best.rule->category.size() ||
                          (r.category.size() == best.rule->category.size() && r.id < best.rule->id))))
        best.rule = &r;
    }
  }
  if (!best.rule) return std::nullopt;
  return best;
}

bool IsOwnLevel(const std::string& org) { return org == kOwnTown || org == kOwnCommunity; }

const reference::Org* TargetOf(const RoutingRule& rule, const std::string& region_path,
                               const reference::Directory& dir) {
  if (rule.org == kOwnTown) return dir.TownOrgOf(region_path);
  if (rule.org == kOwnCommunity) return dir.CommunityOrgOf(region_path);
  return dir.FindOrg(rule.org);
}

}  // namespace civicgrid::dispatch
