#include "reference/geojson.h"

#include <cmath>
#include <map>

#include <nlohmann/json.hpp>

namespace civicgrid::reference {

using nlohmann::json;

namespace {

// How a geometry is read: an import checks it whole (CheckRing, CheckHoles, the limits) and counts its
// positions against the import's limit; a stored one was checked when it was imported, and a reload
// (every reference change) reads it again without repeating that work.
struct Reading {
  bool validate = true;
  std::size_t positions = 0;  // so far in this import
};

Result<geo::Ring> ParseRing(const json& j, const std::string& where, Reading& reading) {
  if (!j.is_array()) return Invalid("geometry", where + ": a ring must be an array of positions");
  if (reading.validate && j.size() > geo::kMaxRingPositions)
    return Invalid("geometry", where + ": a ring has at most " + std::to_string(geo::kMaxRingPositions) +
                                   " positions, this one has " + std::to_string(j.size()));
  reading.positions += j.size();
  if (reading.validate && reading.positions > geo::kMaxImportPositions)
    return Invalid("geometry",
                   where + ": an import has at most " + std::to_string(geo::kMaxImportPositions) + " positions in all");
  geo::Ring ring;
  ring.reserve(j.size());
  for (const auto& pos : j) {
    if (!pos.is_array() || pos.size() < 2 || !pos[0].is_number() || !pos[1].is_number())
      return Invalid("geometry", where + ": a position must be [lon, lat]");
    ring.push_back({pos[0].get<double>(), pos[1].get<double>()});
  }
  if (!reading.validate) return ring;
  if (auto problem = geo::CheckRing(ring)) return Invalid("geometry", where + ": " + *problem);
  return ring;
}

Result<geo::Polygon> ParsePolygon(const json& rings, const std::string& where, Reading& reading) {
  if (!rings.is_array() || rings.empty()) return Invalid("geometry", where + ": a polygon needs an outer ring");
  if (reading.validate && rings.size() - 1 > geo::kMaxHolesPerPolygon)
    return Invalid("geometry",
                   where + ": a polygon has at most " + std::to_string(geo::kMaxHolesPerPolygon) + " holes");
  geo::Polygon p;
  for (size_t i = 0; i < rings.size(); ++i) {
    auto ring = ParseRing(rings[i], where + (i == 0 ? " outer ring" : " hole " + std::to_string(i)), reading);
    if (!ring.ok()) return ring.error();
    if (i == 0) p.outer = std::move(ring.value());
    else p.holes.push_back(std::move(ring.value()));
  }
  if (reading.validate)
    if (auto problem = geo::CheckHoles(p)) return Invalid("geometry", where + ": " + *problem);
  return p;
}

Result<geo::MultiPolygon> ParseGeometryJson(const json& g, const std::string& where, Reading& reading) {
  if (!g.is_object() || !g.contains("type") || !g["type"].is_string())
    return Invalid("geometry", where + ": geometry must be an object with a type");
  const auto type = g["type"].get<std::string>();
  if (!g.contains("coordinates")) return Invalid("geometry", where + ": geometry has no coordinates");
  const json& c = g["coordinates"];
  geo::MultiPolygon out;
  if (type == "Polygon") {
    auto p = ParsePolygon(c, where, reading);
    if (!p.ok()) return p.error();
    out.push_back(std::move(p.value()));
  } else if (type == "MultiPolygon") {
    if (!c.is_array() || c.empty()) return Invalid("geometry", where + ": a MultiPolygon needs polygons");
    for (size_t i = 0; i < c.size(); ++i) {
      auto p = ParsePolygon(c[i], where + " polygon " + std::to_string(i), reading);
      if (!p.ok()) return p.error();
      out.push_back(std::move(p.value()));
    }
  } else {
    return Invalid("geometry", where + ": geometry type " + type + " is not Polygon or MultiPolygon");
  }
  return out;
}

json RingJson(const geo::Ring& r) {
  json a = json::array();
  for (const auto& p : r) a.push_back({p.lon, p.lat});
  return a;
}

}  // namespace

Result<geo::MultiPolygon> ParseGeometry(const std::string& text) {
  try {
    Reading reading;
    return ParseGeometryJson(json::parse(text), "geometry", reading);
  } catch (const json::exception& e) {
    return Invalid("geometry", std::string("geometry is not valid JSON: ") + e.what());
  }
}

Result<geo::MultiPolygon> ParseStoredGeometry(const std::string& text) {
  try {
    Reading reading{.validate = false};
    return ParseGeometryJson(json::parse(text), "geometry", reading);
  } catch (const json::exception& e) {
    return Invalid("geometry", std::string("geometry is not valid JSON: ") + e.what());
  }
}

std::string GeometryToJson(const geo::MultiPolygon& shape) {
  json coords = json::array();
  for (const auto& p : shape) {
    json rings = json::array();
    rings.push_back(RingJson(p.outer));
    for (const auto& h : p.holes) rings.push_back(RingJson(h));
    coords.push_back(std::move(rings));
  }
  if (shape.size() == 1) return json{{"type", "Polygon"}, {"coordinates", coords[0]}}.dump();
  return json{{"type", "MultiPolygon"}, {"coordinates", coords}}.dump();
}

std::string RegionsToFeatureCollection(const std::vector<reference::Region>& regions) {
  json features = json::array();
  for (const auto& r : regions) {
    json props = {{"code", r.code}, {"name", r.name}, {"kind", std::string(Name(r.kind))}};
    if (!r.parent.empty()) props["parent"] = r.parent;
    features.push_back({{"type", "Feature"},
                        {"properties", props},
                        {"geometry", r.geometry.empty() ? json(nullptr) : json::parse(r.geometry)}});
  }
  return json{{"type", "FeatureCollection"}, {"features", features}}.dump();
}

Result<std::vector<reference::Region>> ParseRegionCollection(const std::string& text,
                                                             const std::set<std::string>& known) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {
    return BadRequest("body", std::string("not valid JSON: ") + e.what());
  }
  if (!doc.is_object() || !doc.contains("type") || !doc["type"].is_string() ||
      doc["type"].get<std::string>() != "FeatureCollection" || !doc.contains("features") || !doc["features"].is_array())
    return Invalid("type", "expected a GeoJSON FeatureCollection with a features array");
  std::vector<reference::Region> out;
  std::map<std::string, size_t> index;
  Reading reading;  // one count of positions for the whole import
  const auto& features = doc["features"];
  for (size_t i = 0; i < features.size(); ++i) {
    const json& f = features[i];
    std::string where = "feature " + std::to_string(i);
    if (!f.is_object() || !f.contains("properties") || !f["properties"].is_object())
      return Invalid("features[" + std::to_string(i) + "].properties", where + ": properties missing");
    const json& p = f["properties"];
    auto str = [&](const char* key) -> std::string {
      auto it = p.find(key);
      if (it == p.end() || it->is_null()) return "";
      if (it->is_string()) return it->get<std::string>();
      if (it->is_number_integer()) return std::to_string(it->get<long long>());
      return "\x01";  // neither: reported below
    };
    reference::Region r;
    r.code = str("code");
    const std::string field = "features[" + std::to_string(i) + "].properties.";
    if (r.code.empty() || r.code == "\x01") return Invalid(field + "code", where + ": code is missing");
    where += " (" + r.code + ")";
    if (r.code.size() > 64 || r.code.find('/') != std::string::npos)
      return Invalid(field + "code", where + ": a code has at most 64 characters and no '/'");
    r.name = str("name");
    if (r.name.empty() || r.name == "\x01") return Invalid(field + "name", where + ": name is missing");
    auto kind = reference::ParseRegionKind(str("kind"));
    if (!kind)
      return Invalid(field + "kind", where +
                                         ": kind must be county, town, street, community, village, grid, "
                                         "estate or building");
    r.kind = *kind;
    r.parent = str("parent");
    if (r.parent == "\x01") return Invalid(field + "parent", where + ": parent must be a code");
    if (r.parent == r.code) return Invalid(field + "parent", where + ": a region cannot be its own parent");
    if (f.contains("geometry") && !f["geometry"].is_null()) {
      auto shape = ParseGeometryJson(f["geometry"], where, reading);
      if (!shape.ok()) {
        Error e = shape.error();
        e.field = "features[" + std::to_string(i) + "].geometry";
        return e;
      }
      r.geometry = GeometryToJson(shape.value());
    } else if (r.kind == reference::RegionKind::kGrid) {
      return Invalid("features[" + std::to_string(i) + "].geometry", where + ": a grid needs a polygon");
    }
    if (!index.emplace(r.code, out.size()).second)
      return Invalid(field + "code", where + ": code appears twice in the file");
    out.push_back(std::move(r));
  }
  for (size_t i = 0; i < out.size(); ++i) {
    const auto& r = out[i];
    if (!r.parent.empty() && !index.count(r.parent) && !known.count(r.parent))
      return Invalid("features[" + std::to_string(i) + "].properties.parent",
                     "feature " + std::to_string(i) + " (" + r.code + "): unknown parent " + r.parent);
  }
  // No cycles within the file (a known parent is already rooted).
  for (size_t i = 0; i < out.size(); ++i) {
    std::string at = out[i].parent;
    for (size_t steps = 0; !at.empty(); ++steps) {
      auto it = index.find(at);
      if (it == index.end()) break;
      if (steps > out.size())
        return Invalid("features[" + std::to_string(i) + "].properties.parent",
                       "feature " + std::to_string(i) + " (" + out[i].code + "): parents form a cycle");
      at = out[it->second].parent;
    }
  }
  return out;
}

}  // namespace civicgrid::reference
