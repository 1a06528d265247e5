#include "http/stream.h"

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "domain/cases/anonymity.h"
#include "http/api.h"

namespace civicgrid::http {

namespace {

using ordered_json = nlohmann::ordered_json;

ordered_json CodeOrNull(const std::string& code) { return code.empty() ? ordered_json(nullptr) : ordered_json(code); }

bool Matches(const std::string& region_part, const cases::Case& c) {
  return region_part.empty() || c.origin.region_path.find(region_part) != std::string::npos;
}

}  // namespace

std::string CaseEventMessage(const cases::Case& after, const cases::CaseEvent& event) {
  // Only what a list row shows: the reporter and free text stay behind the case API and its policy.
  ordered_json j = {
      {"type", "case_event"},
      {"case",
       {{"id", after.id},
        {"number", after.origin.number},
        {"status", std::string(Name(after.status))},
        {"org", CodeOrNull(after.org)},
        {"category", after.origin.category},
        {"grid", CodeOrNull(after.origin.grid)},
        {"level", std::string(Name(after.level))},
        {"version", after.version}}},
      {"event",
       {{"seq", event.seq},
        {"type", std::string(Name(cases::TypeOf(event)))},
        {"actor", cases::HidesActor(after, event) ? ordered_json(nullptr) : ordered_json(event.actor)},
        {"at", FormatTime(event.at)}}},
  };
  return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

std::uint64_t StreamHub::Add(std::shared_ptr<StreamSink> sink, access::Subject subject, const std::string& region,
                             std::function<bool()> still_valid) {
  Subscriber s{std::move(sink), std::make_shared<const access::Subject>(std::move(subject)), region,
               region.empty() ? std::string() : "/" + region + "/", std::move(still_valid)};
  common::WriterLock lock(mu_);
  const auto id = next_id_++;
  subscribers_.emplace(id, std::move(s));
  return id;
}

void StreamHub::Remove(std::uint64_t id) {
  common::WriterLock lock(mu_);
  subscribers_.erase(id);
}

size_t StreamHub::size() const {
  common::ReaderLock lock(mu_);
  return subscribers_.size();
}

void StreamHub::Publish(const cases::Case*, const cases::Case& after, const std::vector<cases::CaseEvent>& events) {
  if (events.empty()) return;
  {
    common::ReaderLock lock(mu_);
    if (subscribers_.empty()) return;  // the common case without a wall screen: no formatting at all
  }
  std::vector<std::string> messages;
  messages.reserve(events.size());
  for (const auto& e : events) messages.push_back(CaseEventMessage(after, e));
  // Send only queues, so iterating under the shared lock is cheap; a full queue closes that stream and its
  // on_close removes it later (Send returned false meanwhile).
  common::ReaderLock lock(mu_);
  for (const auto& [id, s] : subscribers_) {
    if (!Matches(s.region_part, after) || !cases::CanSee(*s.subject, after)) continue;
    for (const auto& m : messages)
      if (!s.sink->Send(m)) break;
  }
}

void StreamHub::Tick(const SummaryFn& summary_json) {
  std::vector<Subscriber> copy;
  {
    common::ReaderLock lock(mu_);
    copy.reserve(subscribers_.size());
    for (const auto& [id, s] : subscribers_) copy.push_back(s);
  }
  for (const auto& s : copy) {
    std::string body = summary_json(*s.subject, s.region);
    if (body.empty()) continue;
    if (body.size() < 2 || body.front() != '{' || body.back() != '}') {
      log::Error("stream aggregates: the summary is not a JSON object");
      continue;
    }
    const bool no_members = body.find_first_not_of(" \t\r\n", 1) == body.size() - 1;
    std::string message = R"({"type":"aggregates")";
    if (!no_members) message += "," + body.substr(1);
    else message += "}";
    s.sink->Send(std::move(message));
  }
}

size_t StreamHub::Revalidate() {
  std::vector<Subscriber> copy;
  {
    common::ReaderLock lock(mu_);
    for (const auto& [id, s] : subscribers_)
      if (s.still_valid) copy.push_back(s);
  }
  size_t closed = 0;
  for (const auto& s : copy) {
    if (s.still_valid()) continue;
    s.sink->Close();  // its on_close removes it
    ++closed;
  }
  return closed;
}

UpgradeHandler MakeStreamUpgrade(StreamHub& hub, access::AuthService& auth,
                                 const reference::DirectoryHolder& directory) {
  return [&hub, &auth, &directory](Request& req) -> UpgradeDecision {
    if (req.path != "/api/v1/stream")
      return UpgradeDecision::Refuse(ProblemResponse(NotFound("no resource at " + req.path)));
    if (auto st = CheckQuery(req, {"token", "region"}); !st)
      return UpgradeDecision::Refuse(ProblemResponse(st.error()));
    std::string token;
    if (const auto* q = req.Query("token"); q && !q->empty()) {
      token = *q;
    } else if (const auto* h = req.Header("authorization");
               h && h->size() > 7 && (h->compare(0, 7, "Bearer ") == 0 || h->compare(0, 7, "bearer ") == 0)) {
      token = h->substr(7);
    }
    auto principal = auth.Authenticate(token);
    if (!principal.ok()) return UpgradeDecision::Refuse(ProblemResponse(principal.error()));
    const auto dir = directory.Get();
    std::string region;
    if (const auto* v = req.Query("region"); v && !v->empty()) {
      if (!dir->FindRegion(*v))
        return UpgradeDecision::Refuse(ProblemResponse(Invalid("region", "unknown region '" + *v + "'")));
      region = *v;
    }
    auto subject = access::MakeSubject(principal->login, principal->roles, *dir);
    // Only a definite "no" ends a stream: a store that is briefly unavailable does not.
    auto still_valid = [&auth, token] {
      auto p = auth.Authenticate(token);
      return p.ok() || p.error().code != ErrorCode::kUnauthorized;
    };
    // on_open and on_close run in turn on the connection's strand: the id needs no lock.
    auto id = std::make_shared<std::uint64_t>(0);
    UpgradeDecision d;
    d.accept = true;
    d.on_open = [&hub, id, subject = std::move(subject), region,
                 still_valid = std::move(still_valid)](std::shared_ptr<StreamSink> sink) mutable {
      *id = hub.Add(std::move(sink), std::move(subject), region, std::move(still_valid));
    };
    d.on_close = [&hub, id] { hub.Remove(*id); };
    return d;
  };
}

}  // namespace civicgrid::http
