// Cases as a kind on the ledger (src/ledger/ledger.h): the lifecycle's pure Decide and Evolve, the alerts as
// its timers, and what the store keeps beside a case's row. Holds the county's rules; immutable after
// construction, so any thread may use it.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/cases/case.h"
#include "domain/cases/lifecycle.h"

namespace civicgrid::cases {

struct CaseWrite;

class CaseKind {
 public:
  using State = Case;
  using Body = CaseEventBody;
  using Command = cases::Command;
  using Context = cases::Context;
  using Write = CaseWrite;

  explicit CaseKind(Rules rules = {}) : rules_(std::move(rules)) {}

  std::string_view Noun() const { return "case"; }
  ledger::ItemId IdOf(const Case& c) const { return c.id; }
  std::int64_t VersionOf(const Case& c) const { return c.version; }
  std::string CommandName(const Command& command) const { return ActionName(command); }
  Result<std::vector<CaseEvent>> Decide(const Case& state, const Command& command, const Context& ctx) const {
    return cases::Decide(state, command, ctx);
  }
  Case Evolve(Case state, const CaseEvent& event) const { return cases::Evolve(std::move(state), event); }
  // What the store keeps beside the row, derived here so that no backend derives it again: the cockpit's
  // tally, the next alert, the whistle's departments and the check-ins this write records as missed.
  void Complete(CaseWrite& write) const;
  std::optional<TimePoint> NextTimer(const Case& c) const {
    const auto next = NextAlert(c, rules_);
    return next ? std::optional<TimePoint>(next->at) : std::nullopt;
  }
  Command TimerCommand() const { return FireAlerts{}; }

  const Rules& rules() const { return rules_; }

 private:
  Rules rules_;
};

}  // namespace civicgrid::cases
