#include "store/codec.h"

#include <nlohmann/json.hpp>

#include <type_traits>

#include "domain/cases/event_fields.h"

namespace civicgrid::store {

using nlohmann::json;
using namespace cases;
using namespace reference;

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
  json j = {{"number", o.number},
            {"channel", o.channel},
            {"external_id", o.external_id},
            {"category", o.category},
            {"title", o.title},
            {"description", o.description},
            {"address", o.address},
            {"grid", o.grid},
            {"region_path", o.region_path},
            {"reporter",
             {{"name", o.reporter.name},
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
    o.reporter.anonymous = it->value("anonymous", false);  // (same shape as DecodeReporter below)
  }
  return o;
}

json EncodeReporter(const Reporter& r) {
  return {{"name", r.name},
          {"phone", EncodeSealed(r.phone)},
          {"id_number", EncodeSealed(r.id_number)},
          {"anonymous", r.anonymous}};
}

Reporter DecodeReporter(const json& j) {
  Reporter r;
  r.name = GetStr(j, "name");
  r.phone = DecodeSealed(j, "phone");
  r.id_number = DecodeSealed(j, "id_number");
  r.anonymous = j.value("anonymous", false);
  return r;
}

}  // namespace

namespace {

// Writes one event field into the stored payload: set optionals, non-empty strings and lists, and every
// plain value (as the payload was written when events were one struct).
struct PayloadWriter {
  json& j;
  template <class T>
  void operator()(const char* key, const char*, const T& v) {
    if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::vector<std::string>> ||
                  std::is_same_v<T, std::vector<CaseId>>) {
      if (!v.empty()) j[key] = v;
    } else if constexpr (std::is_same_v<T, std::optional<TimePoint>>) {
      PutTime(j, key, v);
    } else if constexpr (std::is_same_v<T, std::optional<Level>>) {
      if (v) j[key] = std::string(Name(*v));
    } else if constexpr (std::is_same_v<T, Rating>) {
      j[key] = std::string(Name(v));
    } else if constexpr (std::is_same_v<T, CaseOrigin>) {
      j[key] = EncodeOrigin(v);
    } else if constexpr (std::is_same_v<T, Reporter>) {
      j[key] = EncodeReporter(v);
    } else if constexpr (requires { v.has_value(); }) {
      if (v) j[key] = *v;
    } else {
      j[key] = v;
    }
  }
};

struct PayloadReader {
  const json& j;
  template <class T>
  void operator()(const char* key, const char*, T& v) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return;
    if constexpr (std::is_same_v<T, std::optional<TimePoint>>) {
      v = FromMillis(it->get<std::int64_t>());
    } else if constexpr (std::is_same_v<T, std::optional<Level>>) {
      v = ParseLevel(it->get<std::string>());
    } else if constexpr (std::is_same_v<T, Rating>) {
      v = ParseRating(it->get<std::string>()).value_or(Rating::kSatisfied);
    } else if constexpr (std::is_same_v<T, CaseOrigin>) {
      v = DecodeOrigin(*it);
    } else if constexpr (std::is_same_v<T, Reporter>) {
      if (it->is_object()) v = DecodeReporter(*it);
    } else if constexpr (requires { v.has_value(); }) {
      v = it->get<typename T::value_type>();
    } else {
      v = it->get<T>();
    }
  }
};

}  // namespace

std::string EncodeEventPayload(const CaseEvent& e) {
  json j = json::object();
  std::visit([&](const auto& b) { ForEachField(b, PayloadWriter{j}); }, e.body);
  return j.dump();
}

Status DecodeEventPayload(const std::string& text, CaseEvent& e) {
  try {
    const json j = json::parse(text);
    std::visit([&](auto& b) { ForEachField(b, PayloadReader{j}); }, e.body);
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
  if (c.level != Level::kCommunity) j["level"] = std::string(Name(c.level));
  if (!c.timers.empty()) {
    json t = json::object();
    for (const auto& [k, v] : c.timers) t[k] = {ToMillis(v.from), ToMillis(v.due), v.stage};
    j["timers"] = std::move(t);
  }
  if (c.routing) j["routing"] = {{"rule", c.routing->rule}, {"reason", c.routing->reason}};
  if (!c.duplicates.empty()) j["duplicates"] = c.duplicates;
  if (!c.joined.empty()) {
    json a = json::array();
    for (const auto& r : c.joined) {
      json x = {{"reporter", EncodeReporter(r.reporter)}, {"from", r.from}, {"by", r.by}};
      if (r.rating) x["rating"] = std::string(Name(*r.rating));
      if (r.solved) x["solved"] = *r.solved;
      a.push_back(std::move(x));
    }
    j["joined"] = std::move(a);
  }
  if (c.whistle) {
    json parts = json::array();
    for (const auto& p : c.whistle->parts) {
      json x = {{"org", p.org},
                {"lead", p.lead},
                {"check_in_by", ToMillis(p.check_in_by)},
                {"missed", p.missed},
                {"note", p.note}};
      PutTime(x, "checked_in_at", p.checked_in_at);
      PutTime(x, "reported_at", p.reported_at);
      parts.push_back(std::move(x));
    }
    j["whistle"] = {{"by", c.whistle->by}, {"at", ToMillis(c.whistle->at)}, {"parts", std::move(parts)}};
  }
  if (!c.supervisions.empty()) {
    json a = json::array();
    for (const auto& v : c.supervisions)
      a.push_back({{"by", v.by}, {"at", ToMillis(v.at)}, {"note", v.note}, {"due", ToMillis(v.due)}});
    j["supervisions"] = std::move(a);
  }
  if (!c.returned_by.empty()) j["returned_by"] = c.returned_by;
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
    if (auto l = GetOpt<std::string>(j, "level")) c.level = ParseLevel(*l).value_or(Level::kCommunity);
    if (auto it = j.find("timers"); it != j.end() && it->is_object())
      for (const auto& [k, v] : it->items())
        c.timers[k] = {FromMillis(v.at(0).get<std::int64_t>()), FromMillis(v.at(1).get<std::int64_t>()),
                       v.at(2).get<int>()};
    if (auto it = j.find("routing"); it != j.end() && it->is_object())
      c.routing = Routing{it->value("rule", std::int64_t{0}), GetStr(*it, "reason")};
    if (auto it = j.find("duplicates"); it != j.end()) c.duplicates = it->get<std::vector<CaseId>>();
    if (auto it = j.find("joined"); it != j.end())
      for (const auto& x : *it) {
        JoinedReporter r;
        r.reporter = DecodeReporter(x.at("reporter"));
        r.from = x.value("from", CaseId{0});
        r.by = GetStr(x, "by");
        if (auto v = GetOpt<std::string>(x, "rating")) r.rating = ParseRating(*v);
        r.solved = GetOpt<bool>(x, "solved");
        c.joined.push_back(std::move(r));
      }
    if (auto it = j.find("whistle"); it != j.end() && it->is_object()) {
      Whistle w;
      w.by = GetStr(*it, "by");
      w.at = FromMillis(it->at("at").get<std::int64_t>());
      for (const auto& x : it->at("parts")) {
        WhistlePart p;
        p.org = GetStr(x, "org");
        p.lead = x.value("lead", false);
        p.check_in_by = FromMillis(x.at("check_in_by").get<std::int64_t>());
        p.checked_in_at = GetTime(x, "checked_in_at");
        p.missed = x.value("missed", false);
        p.reported_at = GetTime(x, "reported_at");
        p.note = GetStr(x, "note");
        w.parts.push_back(std::move(p));
      }
      c.whistle = std::move(w);
    }
    if (auto it = j.find("supervisions"); it != j.end())
      for (const auto& x : *it)
        c.supervisions.push_back({GetStr(x, "by"), FromMillis(x.at("at").get<std::int64_t>()), GetStr(x, "note"),
                                  FromMillis(x.at("due").get<std::int64_t>())});
    c.returned_by = GetStr(j, "returned_by");
    return c;
  } catch (const json::exception& ex) {
    return Internal(std::string("corrupt case row: ") + ex.what());
  }
}

}  // namespace civicgrid::store
