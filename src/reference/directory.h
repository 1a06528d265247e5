// The reference data a command needs, as one immutable in-memory snapshot: the region tree with its grid
// index, organisations, categories and the working calendar. Readers take a shared_ptr to the current
// snapshot; an import builds a new one and swaps it in, so lookups never stop (DESIGN.md: in-memory
// structures rebuilt from the store and kept current).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "calendar/calendar.h"
#include "common/result.h"
#include "common/snapshot.h"
#include "geo/crs.h"
#include "reference/types.h"

namespace civicgrid::geo {
class GridIndex;
}

namespace civicgrid::reference {

class Directory {
 public:
  // Fails on data that would make lookups wrong: an unknown parent, a cycle, a grid geometry that cannot be
  // read. Geometry is trusted to have passed the import's checks (ParseStoredGeometry). With `faults`, such
  // regions are left out instead (with the regions below them) and each is described there: a store whose
  // reference data went wrong still serves what is sound.
  static Result<std::shared_ptr<const Directory>> Build(std::vector<reference::Region> regions,
                                                        std::vector<reference::Org> orgs,
                                                        std::vector<reference::Category> categories,
                                                        calendar::WorkCalendar calendar,
                                                        std::vector<std::string>* faults = nullptr);
  ~Directory();

  const reference::Region* FindRegion(const std::string& code) const;
  // Root first, the region itself last.
  std::vector<const reference::Region*> Lineage(const std::string& code) const;
  // "/root/…/code/": the subtree key stored with each case.
  std::string PathOf(const std::string& code) const;
  std::vector<const reference::Region*> Children(const std::string& code) const;
  std::vector<const reference::Region*> Roots() const;
  // The grid covering a WGS-84 point, if any.
  const reference::Region* LocateGrid(geo::LonLat wgs84) const;

  const reference::Org* FindOrg(const std::string& code) const;
  // The town or street organisation responsible for the town on this path: where escalation sends a case.
  const reference::Org* TownOrgOf(const std::string& region_path) const;
  // The community or village committee of the community or village on the path; null when none.
  const reference::Org* CommunityOrgOf(const std::string& region_path) const;
  const std::vector<reference::Org>& orgs() const { return orgs_; }
  const reference::Category* FindCategory(const std::string& code) const;
  const std::vector<reference::Category>& categories() const { return categories_; }
  const calendar::WorkCalendar& calendar() const { return calendar_; }
  size_t region_count() const { return regions_.size(); }
  size_t grid_count() const;

 private:
  Directory() = default;
  // The organisation of kind `org_kind` (or its peer) on the region of kind `kind` (or its peer) on the path.
  const reference::Org* OrgOfLevel(const std::string& region_path, RegionKind kind, RegionKind peer,
                                   std::string_view org_kind, std::string_view peer_org_kind) const;
  std::vector<reference::Region> regions_;
  std::map<std::string, size_t> region_by_code_;
  std::multimap<std::string, size_t> children_;
  std::vector<std::string> grid_codes_;  // index id → grid code
  std::unique_ptr<geo::GridIndex> grid_index_;
  std::vector<reference::Org> orgs_;
  std::map<std::string, size_t> org_by_code_;
  std::multimap<std::string, size_t> orgs_by_region_;
  std::vector<reference::Category> categories_;
  std::map<std::string, size_t> category_by_code_;
  calendar::WorkCalendar calendar_;
};

// Regions whose line up to a root is broken, each with why: a parent that does not exist or a cycle of
// parents (named in order, e.g. "parents form a cycle: A → B → A"); a region below a broken one is broken too.
// O(n) however deep the tree.
std::map<std::string, std::string> BrokenLineages(const std::vector<reference::Region>& regions);

// The current directory, swapped whole on a reload.
using DirectoryHolder = common::Snapshot<Directory>;

}  // namespace civicgrid::reference
