#include "reference/directory.h"

#include <algorithm>

#include "geo/grid_index.h"
#include "reference/geojson.h"

namespace civicgrid::reference {

Directory::~Directory() = default;

std::map<std::string, std::string> BrokenLineages(const std::vector<reference::Region>& regions) {
  std::map<std::string, const reference::Region*> by_code;
  for (const auto& r : regions) by_code.emplace(r.code, &r);
  enum class Mark { kWalking, kSound, kBroken };
  std::map<std::string, Mark> mark;
  std::map<std::string, std::string> broken;
  for (const auto& r : regions) {
    // Walk up until a region already judged, a root, a missing parent or this walk's own trail.
    std::vector<const reference::Region*> trail;
    std::string reason;
    bool sound = true;
    for (const reference::Region* at = &r;;) {
      auto m = mark.find(at->code);
      if (m != mark.end() && m->second == Mark::kSound) break;
      if (m != mark.end() && m->second == Mark::kBroken) {
        sound = false;
        reason = "its ancestor " + at->code + " is left out";
        break;
      }
      if (m != mark.end()) {  // kWalking: this walk came round to it
        sound = false;
        std::string cycle = at->code;
        auto from = std::find(trail.begin(), trail.end(), at);
        for (auto it = std::next(from); it != trail.end(); ++it) cycle += " → " + (*it)->code;
        reason = "parents form a cycle: " + cycle + " → " + at->code;
        break;
      }
      mark[at->code] = Mark::kWalking;
      trail.push_back(at);
      if (at->parent.empty()) break;
      auto parent = by_code.find(at->parent);
      if (parent == by_code.end()) {
        sound = false;
        reason = "region " + at->code + " has an unknown parent " + at->parent;
        break;
      }
      at = parent->second;
    }
    for (const auto* t : trail) {
      mark[t->code] = sound ? Mark::kSound : Mark::kBroken;
      if (!sound) broken[t->code] = reason;
    }
  }
  return broken;
}

Result<std::shared_ptr<const Directory>> Directory::Build(std::vector<reference::Region> regions,
                                                          std::vector<reference::Org> orgs,
                                                          std::vector<reference::Category> categories,
                                                          calendar::WorkCalendar calendar,
                                                          std::vector<std::string>* faults) {
  std::shared_ptr<Directory> d(new Directory());
  const auto broken = BrokenLineages(regions);
  if (!broken.empty() && !faults) {
    const auto& [code, reason] = *broken.begin();
    return Invalid("parent", "region " + code + ": " + reason);
  }
  for (const auto& [code, reason] : broken) faults->push_back("region " + code + ": " + reason);
  // Left out: lookups walk parents, which must end at a root.
  std::erase_if(regions, [&](const reference::Region& r) { return broken.count(r.code) > 0; });
  d->regions_ = std::move(regions);
  std::vector<geo::GridIndex::Entry> entries;
  for (size_t i = 0; i < d->regions_.size(); ++i) {
    const auto& r = d->regions_[i];
    d->region_by_code_[r.code] = i;
    if (!r.parent.empty()) d->children_.emplace(r.parent, i);
    if (r.kind == reference::RegionKind::kGrid && !r.geometry.empty()) {
      auto shape = ParseStoredGeometry(r.geometry);
      if (!shape.ok()) {
        if (!faults) return Invalid("geometry", "grid " + r.code + ": " + shape.error().message);
        faults->push_back("grid " + r.code + ": " + shape.error().message);  // kept, but located nowhere
        continue;
      }
      entries.push_back({std::int64_t(d->grid_codes_.size()), std::move(shape.value())});
      d->grid_codes_.push_back(r.code);
    }
  }
  d->grid_index_ = std::make_unique<geo::GridIndex>(std::move(entries));
  d->orgs_ = std::move(orgs);
  for (size_t i = 0; i < d->orgs_.size(); ++i) {
    d->org_by_code_[d->orgs_[i].code] = i;
    d->orgs_by_region_.emplace(d->orgs_[i].region, i);
  }
  d->categories_ = std::move(categories);
  for (size_t i = 0; i < d->categories_.size(); ++i) d->category_by_code_[d->categories_[i].code] = i;
  d->calendar_ = std::move(calendar);
  return std::shared_ptr<const Directory>(std::move(d));
}

const reference::Region* Directory::FindRegion(const std::string& code) const {
  auto it = region_by_code_.find(code);
  return it == region_by_code_.end() ? nullptr : &regions_[it->second];
}

std::vector<const reference::Region*> Directory::Lineage(const std::string& code) const {
  std::vector<const reference::Region*> out;
  for (const reference::Region* r = FindRegion(code); r; r = r->parent.empty() ? nullptr : FindRegion(r->parent))
    out.insert(out.begin(), r);
  return out;
}

std::string Directory::PathOf(const std::string& code) const {
  std::string path = "/";
  for (const auto* r : Lineage(code)) path += r->code + "/";
  return path;
}

std::vector<const reference::Region*> Directory::Children(const std::string& code) const {
  std::vector<const reference::Region*> out;
  auto [lo, hi] = children_.equal_range(code);
  for (auto it = lo; it != hi; ++it) out.push_back(&regions_[it->second]);
  return out;
}

std::vector<const reference::Region*> Directory::Roots() const {
  std::vector<const reference::Region*> out;
  for (const auto& r : regions_)
    if (r.parent.empty()) out.push_back(&r);
  return out;
}

const reference::Region* Directory::LocateGrid(geo::LonLat p) const {
  auto id = grid_index_->Locate(p);
  return id ? FindRegion(grid_codes_[size_t(*id)]) : nullptr;
}

size_t Directory::grid_count() const { return grid_codes_.size(); }

const reference::Org* Directory::FindOrg(const std::string& code) const {
  auto it = org_by_code_.find(code);
  return it == org_by_code_.end() ? nullptr : &orgs_[it->second];
}

const reference::Org* Directory::OrgOfLevel(const std::string& region_path, RegionKind kind, RegionKind peer,
                                            std::string_view org_kind, std::string_view peer_org_kind) const {
  for (const auto& code : reference::PathCodes(region_path)) {
    const auto* r = FindRegion(code);
    if (!r || (r->kind != kind && r->kind != peer)) continue;
    auto [lo, hi] = orgs_by_region_.equal_range(code);
    for (auto it = lo; it != hi; ++it)
      if (orgs_[it->second].kind == org_kind || orgs_[it->second].kind == peer_org_kind) return &orgs_[it->second];
    return nullptr;
  }
  return nullptr;
}

const reference::Org* Directory::TownOrgOf(const std::string& region_path) const {
  return OrgOfLevel(region_path, RegionKind::kTown, RegionKind::kStreet, "town", "street");
}

const reference::Org* Directory::CommunityOrgOf(const std::string& region_path) const {
  return OrgOfLevel(region_path, RegionKind::kCommunity, RegionKind::kVillage, "community", "village");
}

const reference::Category* Directory::FindCategory(const std::string& code) const {
  auto it = category_by_code_.find(code);
  return it == category_by_code_.end() ? nullptr : &categories_[it->second];
}

}  // namespace civicgrid::reference
