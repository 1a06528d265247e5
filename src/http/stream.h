// The live stream (DESIGN: WebSocket /api/v1/stream?token=…): one JSON message per committed case event,
// to every open stream whose caller may see the case. The hub knows subscribers and policy; the
// connections themselves are the server's (StreamSink), so no Beast here.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "domain/access/auth.h"
#include "domain/access/policy.h"
#include "domain/cases/case.h"
#include "http/server.h"
#include "reference/directory.h"
#include "reference/types.h"

namespace civicgrid::http {

class StreamHub {
 public:
  // `region` (a region code, may be empty) narrows the stream to cases in that subtree. `still_valid`
  // (optional) tells Revalidate whether the caller's token still holds. Returns the id for Remove.
  std::uint64_t Add(std::shared_ptr<StreamSink> sink, access::Subject subject, const std::string& region,
                    std::function<bool()> still_valid = {}) EXCLUDES(mu_);
  void Remove(std::uint64_t id) EXCLUDES(mu_);
  size_t size() const EXCLUDES(mu_);

  // A CaseService listener: runs on the committing thread, so it formats each event once and only queues
  // it (StreamSink::Send never waits for the network).
  void Publish(const cases::Case* before, const cases::Case& after, const std::vector<cases::CaseEvent>& events)
      EXCLUDES(mu_);

  // Sends {"type":"aggregates", …} to every subscriber: `summary_json` returns a JSON object (without a
  // "type" key) for one subscriber, whose members follow "type"; an empty string sends nothing to that one.
  // Called outside the hub's lock, once per subscriber (cache in the callback if it is costly).
  using SummaryFn = std::function<std::string(const access::Subject&, const std::string& region)>;
  void Tick(const SummaryFn& summary_json) EXCLUDES(mu_);

  // Closes the streams whose token has expired or been revoked since they connected (a stream answers
  // pings, so it would otherwise live on). Blocks on the store once per stream: call it from a background
  // thread every minute or so, not from a request or commit path. Returns how many it closed.
  size_t Revalidate() EXCLUDES(mu_);

 private:
  struct Subscriber {
    std::shared_ptr<StreamSink> sink;
    std::shared_ptr<const access::Subject> subject;
    std::string region;
    std::string region_part;  // "/CODE/" as it appears in a case's region_path; empty: every region
    std::function<bool()> still_valid;
  };

  mutable common::SharedMutex mu_;
  std::map<std::uint64_t, Subscriber> subscribers_ GUARDED_BY(mu_);
  std::uint64_t next_id_ GUARDED_BY(mu_) = 1;
};

// {"type":"case_event","case":{…},"event":{…}}: what the stream says about one event. No reporter data.
std::string CaseEventMessage(const cases::Case& after, const cases::CaseEvent& event);

// The upgrade handler for /api/v1/stream: the token comes as ?token= (browsers cannot set headers on a
// WebSocket) or as Authorization: Bearer; a missing or bad one answers 401, an unknown ?region= 422, any
// other path 404. The caller's grants are taken once, at connect.
UpgradeHandler MakeStreamUpgrade(StreamHub& hub, access::AuthService& auth,
                                 const reference::DirectoryHolder& directory);

}  // namespace civicgrid::http
