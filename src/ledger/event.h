// What every event of every kind carries (全程留痕): the item, its place in the item's history, when, who,
// through which command, channel and address. A kind supplies only the body: one struct per event type,
// gathered in a std::variant. Plain values; cheap to include.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "common/ids.h"
#include "common/time.h"

namespace civicgrid::ledger {

// Every kind's items are numbered by the ledger; ids are not interchangeable with counts or versions.
using ItemId = common::StrongId<struct ItemTag>;

// Who asked, and through which door. Automatic steps (timers, routing rules) name the system as actor and
// say in `channel` which part of it acted.
struct Origin {
  Origin() = default;
  // An actor alone (tests, bulk loads): no door recorded.
  Origin(std::string actor, std::string channel = {}, std::string address = {})  // NOLINT: implicit by design
      : actor(std::move(actor)), channel(std::move(channel)), address(std::move(address)) {}
  Origin(const char* actor) : actor(actor) {}  // NOLINT: implicit by design
  std::string actor;                           // login of the user, name of the key, or "system"
  std::string channel;                         // "api", "cli", "timer", "demo" …
  std::string address;                         // the client's address; empty when none (cli, timers)
  bool operator==(const Origin&) const = default;
};

inline Origin SystemOrigin(std::string channel) { return Origin("system", std::move(channel)); }

template <class Body>
struct Event {
  ItemId item;
  std::int64_t seq = 0;  // 1-based; equals the item's version after this event
  TimePoint at{};
  std::string actor;
  std::string command;  // the action that produced it ("dispatch", "alerts" …); empty in stores older than it
  std::string channel;
  std::string address;
  Body body;
  bool operator==(const Event&) const = default;
};

}  // namespace civicgrid::ledger
