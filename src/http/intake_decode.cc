#include "http/intake_decode.h"

#include <tuple>
#include <utility>

#include "geo/crs.h"
#include "http/json_util.h"

namespace civicgrid::http {

Result<cases::IntakeRequest> ParseIntake(const json& j) {
  cases::IntakeRequest r;
  auto str = [&](const char* key, bool required, std::string& out) -> Status {
    auto v = GetString(j, key, "", required);
    if (!v.ok()) return v.error();
    if (*v) out = **v;
    return OkStatus();
  };
  for (auto [key, required, out] :
       {std::tuple{"channel", true, &r.channel}, std::tuple{"category", true, &r.category},
        std::tuple{"title", true, &r.title}, std::tuple{"external_id", false, &r.external_id},
        std::tuple{"description", false, &r.description}, std::tuple{"address", false, &r.address},
        std::tuple{"region", false, &r.region}})
    if (auto st = str(key, required, *out); !st) return st.error();
  if (auto it = j.find("location"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return Invalid("location", "location must be an object {lat, lon, crs}");
    auto lat = GetNumber(*it, "lat", "location", true);
    if (!lat.ok()) return lat.error();
    auto lon = GetNumber(*it, "lon", "location", true);
    if (!lon.ok()) return lon.error();
    auto crs = GetString(*it, "crs", "location", false);
    if (!crs.ok()) return crs.error();
    if (*crs) {
      auto parsed = geo::ParseCrs(**crs);
      if (!parsed) return Invalid("location.crs", "crs must be wgs84, gcj02 or bd09");
      r.crs = *parsed;
    }
    r.location = geo::LonLat{**lon, **lat};
  }
  if (auto it = j.find("reporter"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return Invalid("reporter", "reporter must be an object {name, phone, id_number, anonymous}");
    for (auto [key, out] : {std::pair{"name", &r.reporter_name}, std::pair{"phone", &r.reporter_phone},
                            std::pair{"id_number", &r.reporter_id_number}}) {
      auto v = GetString(*it, key, "reporter", false);
      if (!v.ok()) return v.error();
      *out = v->value_or("");
    }
    auto anon = GetBool(*it, "anonymous", "reporter", false);
    if (!anon.ok()) return anon.error();
    r.anonymous = anon->value_or(false);
  }
  return r;
}

}  // namespace civicgrid::http
