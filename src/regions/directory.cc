#include "regions/directory.h"

#include "geo/grid_index.h"
#include "regions/geojson.h"

namespace civicgrid::regions {

Directory::~Directory() = default;

Result<std::shared_ptr<const Directory>> Directory::Build(std::vector<model::Region> regions,
                                                          std::vector<model::Org> orgs,
                                                          std::vector<model::Category> categories,
                                                          calendar::WorkCalendar calendar) {
  std::shared_ptr<Directory> d(new Directory());
  d->regions_ = std::move(regions);
  std::vector<geo::GridIndex::Entry> entries;
  for (size_t i = 0; i < d->regions_.size(); ++i) {
    const auto& r = d->regions_[i];
    d->region_by_code_[r.code] = i;
    if (!r.parent.empty()) d->children_.emplace(r.parent, i);
    if (r.kind == model::RegionKind::kGrid && !r.geometry.empty()) {
      auto shape = ParseGeometry(r.geometry);
      if (!shape.ok()) return Invalid("geometry", "grid " + r.code + ": " + shape.error().message);
      entries.push_back({std::int64_t(d->grid_codes_.size()), std::move(shape.value())});
      d->grid_codes_.push_back(r.code);
    }
  }
  for (const auto& r : d->regions_) {
    size_t steps = 0;
    for (std::string at = r.parent; !at.empty(); ++steps) {
      auto it = d->region_by_code_.find(at);
      if (it == d->region_by_code_.end()) return Invalid("parent", "region " + r.code + ": unknown ancestor " + at);
      if (steps > d->regions_.size()) return Invalid("parent", "region " + r.code + ": parents form a cycle");
      at = d->regions_[it->second].parent;
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

const model::Region* Directory::FindRegion(const std::string& code) const {
  auto it = region_by_code_.find(code);
  return it == region_by_code_.end() ? nullptr : &regions_[it->second];
}

std::vector<const model::Region*> Directory::Lineage(const std::string& code) const {
  std::vector<const model::Region*> out;
  for (const model::Region* r = FindRegion(code); r; r = r->parent.empty() ? nullptr : FindRegion(r->parent))
    out.insert(out.begin(), r);
  return out;
}

std::string Directory::PathOf(const std::string& code) const {
  std::string path = "/";
  for (const auto* r : Lineage(code)) path += r->code + "/";
  return path;
}

std::vector<const model::Region*> Directory::Children(const std::string& code) const {
  std::vector<const model::Region*> out;
  auto [lo, hi] = children_.equal_range(code);
  for (auto it = lo; it != hi; ++it) out.push_back(&regions_[it->second]);
  return out;
}

std::vector<const model::Region*> Directory::Roots() const {
  std::vector<const model::Region*> out;
  for (const auto& r : regions_)
    if (r.parent.empty()) out.push_back(&r);
  return out;
}

const model::Region* Directory::LocateGrid(geo::LonLat p) const {
  auto id = grid_index_->Locate(p);
  return id ? FindRegion(grid_codes_[size_t(*id)]) : nullptr;
}

size_t Directory::grid_count() const { return grid_codes_.size(); }

const model::Org* Directory::FindOrg(const std::string& code) const {
  auto it = org_by_code_.find(code);
  return it == org_by_code_.end() ? nullptr : &orgs_[it->second];
}

const model::Org* Directory::TownOrgOf(const std::string& region_path) const {
  for (const auto& code : model::PathCodes(region_path)) {
    const auto* r = FindRegion(code);
    if (!r || (r->kind != model::RegionKind::kTown && r->kind != model::RegionKind::kStreet)) continue;
    auto [lo, hi] = orgs_by_region_.equal_range(code);
    for (auto it = lo; it != hi; ++it)
      if (orgs_[it->second].kind == "town" || orgs_[it->second].kind == "street") return &orgs_[it->second];
    return nullptr;
  }
  return nullptr;
}

const model::Category* Directory::FindCategory(const std::string& code) const {
  auto it = category_by_code_.find(code);
  return it == category_by_code_.end() ? nullptr : &categories_[it->second];
}

}  // namespace civicgrid::regions
