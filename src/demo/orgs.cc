#include "demo/orgs.h"

#include <string>

#include "common/csv.h"
#include "demo/geography.h"
#include "reference/shipped_data.h"

namespace civicgrid::demo {

using reference::RegionKind;

Result<std::vector<reference::Org>> BuildOrgs(const std::vector<reference::Region>& regions) {
  auto departments = csv::Parse(shipped::kDepartmentsCsv, {"code", "name", "kind"});
  if (!departments.ok()) return Internal("shipped departments.csv: " + departments.error().message);
  std::vector<reference::Org> out;
  for (const auto& spec : kCounties) {
    const std::string county_code = spec.code, county_name = spec.name;
    out.push_back({county_code + "-centre", county_name + "网格化社会治理服务中心", "centre", county_code});
    for (auto& d : *departments) {
      if (d["code"] == "wgzx") continue;  // the service centre itself, added above
      std::string name = d["name"];
      if (const size_t at = name.find("县"); at != std::string::npos)
        name.replace(at, std::string("县").size(), county_name);
      out.push_back({county_code + "-" + d["code"], name, d["kind"], county_code});
    }
  }
  for (const auto& r : regions) {
    if (r.kind == RegionKind::kStreet) out.push_back({r.code, r.name + "办事处", "street", r.code});
    if (r.kind != RegionKind::kTown) continue;
    std::string name = r.name;
    if (name.rfind("县", 0) == 0)  // 县开发区 → 响水县开发区
      for (const auto& spec : kCounties)
        if (r.parent == spec.code) name = std::string(spec.name) + name.substr(std::string("县").size());
    // Development zones, parks, farms and salt works are run by administrative committees.
    const bool committee = r.code[6] == '4';
    out.push_back({r.code, name + (committee ? "管理委员会" : "人民政府"), "town", r.code});
  }
  for (const auto& c : regions) {
    if (c.kind != RegionKind::kCommunity && c.kind != RegionKind::kVillage) continue;
    const bool village = c.kind == RegionKind::kVillage;
    out.push_back({c.code, c.name + (village ? "村委会" : "居委会"), village ? "village" : "community", c.code});
  }
  return out;
}

}  // namespace civicgrid::demo
