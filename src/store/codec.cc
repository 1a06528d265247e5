#include "store/codec.h"

#include <nlohmann/json.hpp>

namespace civicgrid::store {

using nlohmann::json;
using namespace model;

namespace {

void PutTime(json& j, const char* key, const std::optional<TimePoint>& t) {
  if (t) j[key] = ToMillis(*t);
}
std::optional<TimePoint> GetTime(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return FromMillis(it->get<std::int64_t>());
}
template <typename T>
std::optional<T> GetOpt(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return it->get<T>();
}
std::string GetStr(const json& j, const char* key) {
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? std::string() : it->get<std::string>();
}

json EncodeSealed(const privacy::Sealed& v) {
  if (v.empty()) return nullptr;
  return {{"cipher", v.cipher}, {"masked", v.masked}, {"lookup", v.lookup}};
}

privacy::Sealed DecodeSealed(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_object()) return {};
  return {GetStr(*it, "cipher"), GetStr(*it, "masked"), GetStr(*it, "lookup")};
}

json EncodeOrigin(const CaseOrigin& o) {
  json j = {{"number", o.number},           {"channel", o.channel},
            {"external_id", o.external_id}, {"category", o.category},
            {"title", o.title},             {"description", o.description},
            {"address", o.address},         {"grid", o.grid},
            {"region_path", o.region_path},
            {"reporter", {{"name", o.reporter.name},
                          {"phone", EncodeSealed(o.reporter.phone)},
                          {"id_number", EncodeSealed(o.reporter.id_number)},
                          {"anonymous", o.reporter.anonymous}}}};
  if (o.location) j["location"] = {{"lat", o.location->lat}, {"lon", o.location->lon}};
  return j;
}

CaseOrigin DecodeOrigin(const json& j) {
  CaseOrigin o;
  o.number = GetStr(j, "number");
  o.channel = GetStr(j, "channel");
  o.external_id = GetStr(j, "external_id");
  o.category = GetStr(j, "category");
  o.title = GetStr(j, "title");
  o.description = GetStr(j, "description");
  o.address = GetStr(j, "address");
  o.grid = GetStr(j, "grid");
  o.region_path = GetStr(j, "region_path");
  if (auto it = j.find("location"); it != j.end() && it->is_object())
    o.location = GeoPoint{it->at("lat").get<double>(), it->at("lon").get<double>()};
  if (auto it = j.find("reporter"); it != j.end() && it->is_object()) {
    o.reporter.name = GetStr(*it, "name");
    o.reporter.phone = DecodeSealed(*it, "phone");
    o.reporter.id_number = DecodeSealed(*it, "id_number");
    o.reporter.anonymous = it->value("anonymous", false);
  }
  return o;
}

}  // namespace

std::string EncodeEventPayload(const CaseEvent& e) {
  json j = json::object();
  if (e.origin) j["origin"] = EncodeOrigin(*e.origin);
  if (!e.org.empty()) j["org"] = e.org;
  if (!e.text.empty()) j["text"] = e.text;
  if (e.days) j["days"] = *e.days;
  if (e.approve) j["approve"] = *e.approve;
  if (e.rating) j["rating"] = std::string(Name(*e.rating));
  if (e.solved) j["solved"] = *e.solved;
  if (e.into) j["into"] = *e.into;
  PutTime(j, "accept_by", e.accept_by);
  PutTime(j, "resolve_by", e.resolve_by);
  return j.dump();
}

Status DecodeEventPayload(const std::string& text, CaseEvent& e) {
  try {
    const json j = json::parse(text);
    if (auto it = j.find("origin"); it != j.end()) e.origin = DecodeOrigin(*it);
    e.org = GetStr(j, "org");
    e.text = GetStr(j, "text");
    e.days = GetOpt<double>(j, "days");
    e.approve = GetOpt<bool>(j, "approve");
    if (auto r = GetOpt<std::string>(j, "rating")) e.rating = ParseRating(*r);
    e.solved = GetOpt<bool>(j, "solved");
    e.into = GetOpt<CaseId>(j, "into");
    e.accept_by = GetTime(j, "accept_by");
    e.resolve_by = GetTime(j, "resolve_by");
    return OkStatus();
  } catch (const json::exception& ex) {
    return Internal(std::string("corrupt event payload: ") + ex.what());
  }
}

std::string EncodeCase(const Case& c) {
  json j = {{"id", c.id},
            {"origin", EncodeOrigin(c.origin)},
            {"status", std::string(Name(c.status))},
            {"org", c.org},
            {"returns", c.returns},
            {"extension_days", c.extension_days},
            {"reviewed", c.reviewed},
            {"resolution", c.resolution},
            {"taken_by", c.taken_by},
            {"created_at", ToMillis(c.created_at)},
            {"updated_at", ToMillis(c.updated_at)},
            {"version", c.version}};
  PutTime(j, "accept_by", c.accept_by);
  PutTime(j, "resolve_by", c.resolve_by);
  PutTime(j, "dispatched_at", c.dispatched_at);
  PutTime(j, "accepted_at", c.accepted_at);
  PutTime(j, "contacted_at", c.contacted_at);
  PutTime(j, "resolved_at", c.resolved_at);
  PutTime(j, "closed_at", c.closed_at);
  if (c.pending_extension) j["pending_extension"] = *c.pending_extension;
  if (c.rating) j["rating"] = std::string(Name(*c.rating));
  if (c.solved) j["solved"] = *c.solved;
  if (c.merged_into) j["merged_into"] = *c.merged_into;
  return j.dump();
}

Result<Case> DecodeCase(const std::string& text) {
  try {
    const json j = json::parse(text);
    Case c;
    c.id = j.at("id").get<CaseId>();
    c.origin = DecodeOrigin(j.at("origin"));
    auto status = ParseCaseStatus(j.at("status").get<std::string>());
    if (!status) return Internal("corrupt case row: status");
    c.status = *status;
    c.org = GetStr(j, "org");
    c.returns = j.value("returns", 0);
    c.extension_days = j.value("extension_days", 0.0);
    c.reviewed = j.value("reviewed", false);
    c.resolution = GetStr(j, "resolution");
    c.taken_by = GetStr(j, "taken_by");
    c.created_at = FromMillis(j.at("created_at").get<std::int64_t>());
    c.updated_at = FromMillis(j.at("updated_at").get<std::int64_t>());
    c.version = j.at("version").get<std::int64_t>();
    c.accept_by = GetTime(j, "accept_by");
    c.resolve_by = GetTime(j, "resolve_by");
    c.dispatched_at = GetTime(j, "dispatched_at");
    c.accepted_at = GetTime(j, "accepted_at");
    c.contacted_at = GetTime(j, "contacted_at");
    c.resolved_at = GetTime(j, "resolved_at");
    c.closed_at = GetTime(j, "closed_at");
    c.pending_extension = GetOpt<double>(j, "pending_extension");
    if (auto r = GetOpt<std::string>(j, "rating")) c.rating = ParseRating(*r);
    c.solved = GetOpt<bool>(j, "solved");
    c.merged_into = GetOpt<CaseId>(j, "merged_into");
    return c;
  } catch (const json::exception& ex) {
    return Internal(std::string("corrupt case row: ") + ex.what());
  }
}

}  // namespace civicgrid::store
