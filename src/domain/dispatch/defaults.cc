#include "domain/dispatch/defaults.h"

#include <map>
#include <set>
#include <string>

#include "common/csv.h"

namespace civicgrid::dispatch {
namespace {

using reference::RegionKind;

// Where a template's organisation sits: the county (a department), the town, the community.
enum class Level { kCounty = 0, kTown = 1, kCommunity = 2 };

struct Template {
  std::string category;
  std::string org;  // a department code, "town" or "community"
  Level level = Level::kCounty;
};

// The organisations a template may name, seen from one place.
struct Place {
  std::string county;         // the county's region code
  std::string town_org;       // empty: the place has no town office
  std::string community_org;  // empty: no community or village committee
};

class Expander {
 public:
  Expander(std::vector<Template> templates, const reference::Directory& dir)
      : templates_(std::move(templates)), dir_(dir) {
    for (const auto& o : dir_.orgs())
      if (o.kind == "community" || o.kind == "village") community_orgs_.emplace(o.region, o.code);  // first wins
  }

  std::vector<RoutingRule> Run() {
    for (const reference::Region* county : dir_.Roots()) {
      Place place;
      place.county = county->code;
      AddAt(*county, Level::kCounty, place);
      Walk(*county, place);
    }
    return std::move(rules_);
  }

 private:
  void Walk(const reference::Region& parent, const Place& above) {
    for (const reference::Region* r : dir_.Children(parent.code)) {
      Place place = above;
      if (r->kind == RegionKind::kTown || r->kind == RegionKind::kStreet) {
        const reference::Org* town = dir_.TownOrgOf(dir_.PathOf(r->code));
        place.town_org = town ? town->code : "";
        place.community_org.clear();
        AddAt(*r, Level::kTown, place);
      } else if (r->kind == RegionKind::kCommunity || r->kind == RegionKind::kVillage) {
        const auto it = community_orgs_.find(r->code);
        place.community_org = it == community_orgs_.end() ? "" : it->second;
        AddAt(*r, Level::kCommunity, place);
      } else {
        continue;  // grids and below hold no town or community
      }
      Walk(*r, place);
    }
  }

  std::string Resolve(const Template& t, const Place& place) const {
    switch (t.level) {
      case Level::kCounty: {
        std::string org = place.county + "-" + t.org;
        return dir_.FindOrg(org) ? org : "";
      }
      case Level::kTown:
        return place.town_org;
      case Level::kCommunity:
        return place.community_org;
    }
    return "";
  }

  // The rules at one region of `level`: its own templates, and every template of a wider level that one of
  // them would otherwise hide (a longer category: the deeper region wins before the longer category counts).
  void AddAt(const reference::Region& region, Level level, const Place& place) {
    std::vector<const Template*> own;
    for (const auto& t : templates_)
      if (t.level == level && !Resolve(t, place).empty()) own.push_back(&t);
    if (own.empty()) return;
    for (const auto& t : templates_) {
      bool here = t.level == level;
      if (t.level < level)
        for (const Template* o : own)
          here |= t.category.size() > o->category.size() && t.category.starts_with(o->category);
      if (!here) continue;
      std::string org = Resolve(t, place);
      if (!org.empty()) rules_.push_back({0, t.category, region.code, std::move(org), "", {}});
    }
  }

  const std::vector<Template> templates_;
  const reference::Directory& dir_;
  std::map<std::string, std::string> community_orgs_;  // region code → its community or village committee
  std::vector<RoutingRule> rules_;
};

}  // namespace

Result<std::vector<RoutingRule>> DefaultRules(std::string_view templates_csv, const reference::Directory& directory) {
  auto rows = csv::Parse(templates_csv, {"category", "org"});
  if (!rows.ok()) return Invalid("routing defaults", rows.error().message);
  std::vector<Template> templates;
  std::set<std::string> seen;
  for (const auto& row : *rows) {
    const std::string where = "routing defaults line " + std::to_string(row.line);
    Template t{row.Get("category"), row.Get("org")};
    if (t.category.empty()) return Invalid(where, "the category is empty");
    if (t.org.empty()) return Invalid(where, "the org is empty");
    if (!seen.insert(t.category).second) return Invalid(where, "category " + t.category + " is listed twice");
    if (!directory.FindCategory(t.category)) continue;
    t.level = t.org == "town" ? Level::kTown : t.org == "community" ? Level::kCommunity : Level::kCounty;
    templates.push_back(std::move(t));
  }
  return Expander(std::move(templates), directory).Run();
}

}  // namespace civicgrid::dispatch
